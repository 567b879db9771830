package dev.watchdog.http;

import dev.watchdog.core.Durations;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Every outbound HTTP call of the daemon and the agent. A request has a deadline for the whole
 * exchange (connecting, the headers and the whole body: a peer that sends its headers and then
 * nothing, or a byte a second, is cut off when it runs out), reads at most a capped body, and
 * follows no redirect (a 3xx is an answer like any other: a rollback target answering 303 has not
 * rolled anything back, and its signature headers must not travel to another host). Failures are
 * told in our words ({@link Failure}), never the library's, which name the URL.
 */
public final class Http {

    /** Answers of receivers and rollback targets are read for their status and a few fields: a megabyte is plenty. */
    public static final int SMALL_ANSWER = 1 << 20;

    private final Vertx vertx;
    private final HttpClient client;

    /** Optional: pool, to raise Vert.x's default of 5 connections per host (Prometheus's maxConcurrency). */
    public Http(Vertx vertx, PoolOptions pool) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions(), pool);
    }

    public Http(Vertx vertx) {
        this(vertx, new PoolOptions());
    }

    /** One request: its method, URL, headers and body (null for none), deadline and answer cap. */
    public record Request(HttpMethod method, String url, Map<String, String> headers, @Nullable Buffer body,
                          Duration deadline, long maxAnswer) {

        public Request {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        public static Request get(String url, Duration deadline) {
            return new Request(HttpMethod.GET, url, Map.of(), null, deadline, SMALL_ANSWER);
        }

        public static Request post(String url, Buffer body, Duration deadline) {
            return new Request(HttpMethod.POST, url, Map.of("Content-Type", "application/json"), body, deadline,
                    SMALL_ANSWER);
        }

        /** The same request with one more header (replacing one of the same name). */
        public Request header(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.keySet().removeIf(name::equalsIgnoreCase);
            all.put(name, value);
            return new Request(method, url, all, body, deadline, maxAnswer);
        }

        public Request headers(Map<String, String> more) {
            Request r = this;
            for (Map.Entry<String, String> e : more.entrySet()) {
                r = r.header(e.getKey(), e.getValue());
            }
            return r;
        }

        /** The same request with a query parameter appended, encoded. */
        public Request query(String name, String value) {
            String sep = url.contains("?") ? "&" : "?";
            return new Request(method, url + sep + encode(name) + "=" + encode(value), headers, body, deadline, maxAnswer);
        }

        public Request withDeadline(Duration d) {
            return new Request(method, url, headers, body, d, maxAnswer);
        }

        public Request maxAnswer(long bytes) {
            return new Request(method, url, headers, body, deadline, bytes);
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    /** An answer: its status, headers and whole body. */
    public record Response(int status, MultiMap headers, Buffer body) {

        public @Nullable String header(String name) {
            return headers.get(name);
        }
    }

    /** Why there was no answer. */
    public enum Kind { TIMEOUT, TOO_LARGE, NETWORK }

    /** No answer within the deadline, an answer over the cap, or no connection: in our words. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Kind kind;

        Failure(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /** Sends the request; fails with {@link Failure} when there is no whole answer within its deadline. */
    public Future<Response> send(Request r) {
        long deadline = Math.max(1, r.deadline().toMillis());
        RequestOptions options = new RequestOptions().setMethod(r.method()).setAbsoluteURI(r.url())
                .setFollowRedirects(false).setConnectTimeout(deadline);
        r.headers().forEach(options::putHeader);
        Promise<Response> answer = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long timer = vertx.setTimer(deadline, t -> {
            if (answer.tryFail(new Failure(Kind.TIMEOUT, "no whole answer within " + Durations.format(r.deadline())))) {
                reset(sent.get());
            }
        });
        client.request(options)
                .compose(request -> {
                    sent.set(request);
                    // Listening before sending: the body's handlers are set the moment the answer comes.
                    Future<Response> whole = request.response().compose(response -> read(response, r.maxAnswer()));
                    return (r.body() == null ? request.end() : request.end(r.body())).compose(x -> whole);
                })
                .onComplete(ar -> {
                    vertx.cancelTimer(timer);
                    if (ar.succeeded()) {
                        answer.tryComplete(ar.result());
                    } else if (answer.tryFail(failure(ar.cause()))) {
                        reset(sent.get());
                    }
                });
        return answer.future();
    }

    /** The whole body, unless it grows past {@code max}: then the connection is dropped. */
    private static Future<Response> read(HttpClientResponse response, long max) {
        String length = response.getHeader("Content-Length");
        long announced = length != null && length.matches("\\d{1,18}") ? Long.parseLong(length) : -1;
        if (announced > max) {
            return Future.failedFuture(tooLarge(max));
        }
        Promise<Response> whole = Promise.promise();
        // Sized as announced: a fleet's answer of a megabyte is not grown (and copied) from a few bytes.
        Buffer body = announced > 0 ? Buffer.buffer((int) announced) : Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + (long) chunk.length() > max) {
                whole.tryFail(tooLarge(max));
            } else if (!whole.future().isComplete()) {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(whole::tryFail);
        response.endHandler(v -> whole.tryComplete(new Response(response.statusCode(), response.headers(), body)));
        return whole.future();
    }

    private static Failure tooLarge(long max) {
        return new Failure(Kind.TOO_LARGE, "the answer is larger than " + max + " bytes");
    }

    private static Failure failure(Throwable e) {
        return e instanceof Failure f ? f : new Failure(Kind.NETWORK, Failures.describe(e));
    }

    /** Drops a request whose answer is no longer awaited, freeing its connection. */
    private static void reset(@Nullable HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }

    public Future<Void> close() {
        return client.close();
    }
}
