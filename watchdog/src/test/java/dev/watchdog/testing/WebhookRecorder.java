package dev.watchdog.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Records every request it gets and answers from a queue of statuses (200 once the queue is empty). */
public final class WebhookRecorder {

    /** A request as it arrived. */
    public record Call(Instant at, String path, MultiMap headers, String body, MultiMap query) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** An answer: status, extra headers, body; {@code hangs} never answers. */
    public record Reply(int status, Map<String, String> headers, boolean hangs, String body) {
        public Reply(int status, Map<String, String> headers, boolean hangs) {
            this(status, headers, hangs, "");
        }

        public static Reply status(int status) {
            return new Reply(status, Map.of(), false);
        }

        public static Reply hanging() {
            return new Reply(0, Map.of(), true);
        }

        public static Reply json(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), false, body);
        }
    }

    /** The calls to one path. */
    public List<Call> calls(String path) {
        return calls.stream().filter(c -> c.path().equals(path)).toList();
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    /** Waiters for a number of calls ({@link #arrived}), completed as calls come in. */
    private final List<Map.Entry<Integer, Promise<List<Call>>>> waiters = new CopyOnWriteArrayList<>();
    /** The calls answered 2xx whose answer was written to the caller's connection. */
    public final List<Call> answeredOk = new CopyOnWriteArrayList<>();
    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private volatile Reply otherwise = Reply.status(200);
    private volatile Consumer<Call> afterAnswer;
    private volatile long answerAfterMillis;
    private final Vertx vertx;
    private HttpServer server;

    public WebhookRecorder(Vertx vertx) {
        this.vertx = vertx;
    }

    public WebhookRecorder start() {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    /** The next calls get these answers, in order. */
    public WebhookRecorder reply(Reply... next) {
        replies.addAll(List.of(next));
        return this;
    }

    /** Calls after the queue is used up get this answer. */
    public WebhookRecorder otherwise(Reply reply) {
        otherwise = reply;
        return this;
    }

    /** Every answer from now on is sent {@code delay} after its call arrived: a receiver that takes its time. */
    public WebhookRecorder answerAfter(java.time.Duration delay) {
        answerAfterMillis = delay.toMillis();
        return this;
    }

    /** Runs {@code action} (off the event loop) as soon as a 2xx answer to a call has been written; null for none. */
    public WebhookRecorder afterAnswer(Consumer<Call> action) {
        afterAnswer = action;
        return this;
    }

    /**
     * Completes with the calls once {@code n} have arrived, or fails after {@code within}: the edge a
     * test waits on, rather than polling a count.
     */
    public Future<List<Call>> arrived(int n, java.time.Duration within) {
        Promise<List<Call>> promise = Promise.promise();
        waiters.add(Map.entry(n, promise));
        if (calls.size() >= n) {
            promise.tryComplete(List.copyOf(calls));
        }
        return promise.future().timeout(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The calls that carried this {@code Idempotency-Key}. */
    public List<Call> withKey(String key) {
        return calls.stream().filter(c -> key.equals(c.header("Idempotency-Key"))).toList();
    }

    public void close() {
        server.close().await();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            Call call = new Call(Instant.now(), request.path(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
                    body.toString(), MultiMap.caseInsensitiveMultiMap().addAll(request.params()));
            calls.add(call);
            waiters.removeIf(w -> calls.size() >= w.getKey() && w.getValue().tryComplete(List.copyOf(calls)));
            Reply reply = replies.poll();
            Reply answer = reply == null ? otherwise : reply;
            if (answer.hangs()) {
                return;
            }
            long delay = answerAfterMillis;
            if (delay > 0) {
                vertx.setTimer(delay, t -> answer(request, call, answer));
            } else {
                answer(request, call, answer);
            }
        });
    }

    private void answer(HttpServerRequest request, Call call, Reply answer) {
        answer.headers().forEach(request.response()::putHeader);
        request.response().setStatusCode(answer.status()).end(answer.body()).onSuccess(y -> answered(call, answer));
    }

    private void answered(Call call, Reply answer) {
        Consumer<Call> action = afterAnswer;
        if (answer.status() / 100 != 2) {
            return;
        }
        answeredOk.add(call);
        if (action != null) {
            vertx.executeBlocking(() -> {
                action.accept(call);
                return null;
            });
        }
    }
}
