package dev.watchdog.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A stand-in service for the demo and the integration tests: serves {@code http_requests_total}
 * for {@code service="demo"} at a steady 200 requests a second with a settable share of 5xx
 * ({@code POST /control?errorRatio=0.1}), and plays the deployer: {@code POST /rollback} takes the
 * watchdog's rollback webhook, reports it, and brings the error ratio back to 0.
 */
public final class DemoService {

    private static final int REQUESTS_PER_TICK = 20;
    private static final long TICK_MILLIS = 100;

    private final Vertx vertx;
    private final Consumer<String> onRollback;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile double errorRatio;
    private double owedErrors;
    private @Nullable HttpServer server;
    private long timer;

    public DemoService(Vertx vertx, Consumer<String> onRollback) {
        this.vertx = vertx;
        this.onRollback = onRollback;
    }

    public Future<DemoService> start(String host, int port) {
        timer = vertx.setPeriodic(TICK_MILLIS, id -> serveTraffic());
        return vertx.createHttpServer().requestHandler(this::handle).listen(port, host).map(s -> {
            server = s;
            return this;
        });
    }

    public int port() {
        return Objects.requireNonNull(server, "the demo service is started").actualPort();
    }

    public void errorRatio(double ratio) {
        errorRatio = ratio;
    }

    public Future<Void> stop() {
        vertx.cancelTimer(timer);
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** Errors are spread evenly: the fraction owed carries over, so the ratio is exact over time. */
    private synchronized void serveTraffic() {
        owedErrors += REQUESTS_PER_TICK * errorRatio;
        long errors = (long) owedErrors;
        owedErrors -= errors;
        failed.addAndGet(errors);
        ok.addAndGet(REQUESTS_PER_TICK - errors);
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/metrics" -> request.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                    .end("# TYPE http_requests_total counter\n"
                            + "http_requests_total{service=\"demo\",status=\"200\"} " + ok.get() + "\n"
                            + "http_requests_total{service=\"demo\",status=\"500\"} " + failed.get() + "\n");
            case "/control" -> {
                errorRatio(Double.parseDouble(request.getParam("errorRatio", "0")));
                request.response().end("errorRatio=" + errorRatio + "\n");
            }
            case "/rollback" -> request.body().onComplete(body -> {
                if (body.succeeded()) {
                    errorRatio(0);
                    onRollback.accept(body.result().toString());
                }
                request.response().setStatusCode(body.succeeded() ? 200 : 400).end(body.succeeded() ? "rolled back\n" : "");
            });
            default -> request.response().setStatusCode(404).end();
        }
    }
}
