package dev.watchdog.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A port of its own in front of a real server, which the test makes misbehave: pass requests on,
 * pass them on late, answer a status of its own, answer something that is not the API's, never
 * answer, or close the port (connections refused) until it is told otherwise.
 */
public final class FaultProxy {

    /** What happens to each request from now on. */
    public record Mode(Kind kind, Duration delay, int status, String contentType, String body) {

        /** The kinds of behaviour. */
        public enum Kind { PASS, ANSWER, HANG, CLOSED }

        /** Passes every request on to the target and its answer back. */
        public static Mode pass() {
            return new Mode(Kind.PASS, Duration.ZERO, 0, null, null);
        }

        /** Passes every request on after {@code delay}. */
        public static Mode slow(Duration delay) {
            return new Mode(Kind.PASS, delay, 0, null, null);
        }

        /** Answers every request itself. */
        public static Mode answer(int status, String contentType, String body) {
            return new Mode(Kind.ANSWER, Duration.ZERO, status, contentType, body);
        }

        /** A 200 that is no API's answer: a proxy's sign-in page. */
        public static Mode garbage() {
            return answer(200, "text/html", "<html><body><h1>Sign in</h1><form action=/login></form></body></html>");
        }

        /** Accepts every request and never answers. */
        public static Mode hang() {
            return new Mode(Kind.HANG, Duration.ZERO, 0, null, null);
        }

        /** Nothing listens: connections are refused. */
        public static Mode closed() {
            return new Mode(Kind.CLOSED, Duration.ZERO, 0, null, null);
        }
    }

    /** Every request that reached the proxy: method and URI. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    private final Vertx vertx;
    private final int port;
    private final String target;
    private final WebClient client;
    private volatile Mode mode = Mode.pass();
    private HttpServer server;

    private FaultProxy(Vertx vertx, int port, String target) {
        this.vertx = vertx;
        this.port = port;
        this.target = target;
        this.client = WebClient.create(vertx);
    }

    /** A proxy on a free port in front of {@code target} (scheme, host and port), passing requests on. */
    public static FaultProxy start(Vertx vertx, String target) {
        return start(vertx, RealProcess.freePort(), target);
    }

    /** As above, on {@code port}: e.g. the port of a server the test has just killed. */
    public static FaultProxy start(Vertx vertx, int port, String target) {
        FaultProxy proxy = new FaultProxy(vertx, port, target);
        proxy.listen();
        return proxy;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** From now on, {@code next}; closing and opening the port happen before this returns. */
    public synchronized FaultProxy set(Mode next) {
        if (next.kind() == Mode.Kind.CLOSED && server != null) {
            server.close().await();
            server = null;
        } else if (next.kind() != Mode.Kind.CLOSED && server == null) {
            listen();
        }
        mode = next;
        return this;
    }

    public synchronized void close() {
        set(Mode.closed());
    }

    private synchronized void listen() {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1").await();
    }

    private void handle(HttpServerRequest request) {
        Mode now = mode;
        requests.add(request.method() + " " + request.uri());
        request.body().onSuccess(body -> {
            switch (now.kind()) {
                case HANG, CLOSED -> { }
                case ANSWER -> request.response().setStatusCode(now.status()).putHeader("Content-Type", now.contentType())
                        .end(now.body());
                case PASS -> later(now.delay()).compose(x -> forward(request, body)).onComplete(ar -> {
                    if (ar.failed()) {
                        request.connection().close();
                        return;
                    }
                    HttpResponse<Buffer> answer = ar.result();
                    request.response().setStatusCode(answer.statusCode()).headers().addAll(answer.headers())
                            .remove("Content-Length").remove("Transfer-Encoding").remove("Connection");
                    request.response().end(answer.body() == null ? Buffer.buffer() : answer.body());
                });
            }
        });
    }

    private Future<Void> later(Duration delay) {
        return delay.isZero() ? Future.succeededFuture() : vertx.timer(delay.toMillis()).mapEmpty();
    }

    private Future<HttpResponse<Buffer>> forward(HttpServerRequest request, Buffer body) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers())
                .remove("Host").remove("Content-Length").remove("Connection").remove("Transfer-Encoding");
        return client.requestAbs(request.method(), target + request.uri()).putHeaders(headers).sendBuffer(body);
    }
}
