package dev.watchdog.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A port of its own in front of a real server, which the test makes misbehave: pass requests on,
 * pass them on late, answer a status of its own, answer something that is not the API's, never
 * answer, send the headers and then nothing (or a byte at a time), send an answer of any size, or
 * close the port (connections refused) until it is told otherwise. A mode may be set for the
 * requests whose URI contains a text ({@link #when}), the others keep the proxy's mode.
 */
public final class FaultProxy {

    /** What happens to each request from now on. */
    public record Mode(Kind kind, Duration delay, int status, String contentType, String body, long bytes) {

        public Mode(Kind kind, Duration delay, int status, String contentType, String body) {
            this(kind, delay, status, contentType, body, 0);
        }

        /** The kinds of behaviour. */
        public enum Kind { PASS, ANSWER, HANG, CLOSED, STALL, TRICKLE, HUGE, REDIRECT }

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

        /** Answers 200 with its headers, then sends nothing more, keeping the connection open. */
        public static Mode stall() {
            return new Mode(Kind.STALL, Duration.ZERO, 200, "application/json", null);
        }

        /** Answers 200 with its headers, then one byte (JSON whitespace) every 200 ms, for ever. */
        public static Mode trickle() {
            return new Mode(Kind.TRICKLE, Duration.ZERO, 200, "application/json", null);
        }

        /** A well-formed Prometheus answer (an instant vector) of at least {@code bytes}, streamed. */
        public static Mode huge(long bytes) {
            return new Mode(Kind.HUGE, Duration.ZERO, 200, "application/json", null, bytes);
        }

        /** Answers {@code status} (301, 302, 303, 307, 308) with a Location. */
        public static Mode redirect(int status, String location) {
            return new Mode(Kind.REDIRECT, Duration.ZERO, status, "text/plain", location);
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
    private final Map<String, Mode> special = new ConcurrentHashMap<>();
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

    /** From now on, requests whose URI (decoded) contains {@code text} get {@code next}; null goes back to the proxy's mode. */
    public FaultProxy when(String text, Mode next) {
        if (next == null) {
            special.remove(text);
        } else {
            special.put(text, next);
        }
        return this;
    }

    public synchronized void close() {
        set(Mode.closed());
    }

    private synchronized void listen() {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1").await();
    }

    private void handle(HttpServerRequest request) {
        String uri = java.net.URLDecoder.decode(request.uri(), java.nio.charset.StandardCharsets.UTF_8);
        Mode now = special.entrySet().stream().filter(e -> uri.contains(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse(mode);
        requests.add(request.method() + " " + request.uri());
        request.body().onSuccess(body -> {
            switch (now.kind()) {
                case HANG, CLOSED -> { }
                case STALL -> request.response().setChunked(true).putHeader("Content-Type", now.contentType()).write("{");
                case TRICKLE -> trickle(request.response().setChunked(true).putHeader("Content-Type", now.contentType()));
                case HUGE -> huge(request.response().setChunked(true).putHeader("Content-Type", now.contentType()),
                        now.bytes());
                case REDIRECT -> request.response().setStatusCode(now.status()).putHeader("Location", now.body())
                        .end("see " + now.body());
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

    private void trickle(HttpServerResponse response) {
        long timer = vertx.setPeriodic(200, t -> response.write(" "));
        response.closeHandler(x -> vertx.cancelTimer(timer));
    }

    /** Series after series until {@code bytes} are sent, waiting whenever the client reads slower. */
    private void huge(HttpServerResponse response, long bytes) {
        response.write("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
        long[] sent = {0};
        Buffer chunk = Buffer.buffer();
        for (int i = 0; i < 1000; i++) {
            chunk.appendString("{\"metric\":{\"service\":\"huge\",\"i\":\"" + i + "\"},\"value\":[1,\"0\"]},");
        }
        Runnable[] more = new Runnable[1];
        more[0] = () -> {
            while (sent[0] < bytes && !response.writeQueueFull()) {
                response.write(chunk);
                sent[0] += chunk.length();
            }
            if (sent[0] >= bytes) {
                response.end("{\"metric\":{},\"value\":[1,\"0\"]}]}}");
            } else {
                response.drainHandler(x -> more[0].run());
            }
        };
        response.closeHandler(x -> sent[0] = Long.MAX_VALUE / 2);
        more[0].run();
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
