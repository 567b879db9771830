package dev.watchdog.action;

import dev.watchdog.core.Secret;
import dev.watchdog.http.Failures;
import dev.watchdog.http.Http;
import dev.watchdog.http.Signature;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.receiver.Reading;
import dev.watchdog.receiver.Retry;
import dev.watchdog.receiver.Webhook;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way an effect's request is delivered: every attempt carries {@code Idempotency-Key} and
 * {@code webhook-id} (the message id, the same on every attempt), signed when there is a secret, and
 * is read by its receiver's kind; 429, 5xx and no answer are retried with capped backoff and jitter
 * (a {@code Retry-After} wins), anything else is final. Before every attempt it asks whether to go
 * on: a message no longer wanted, or one found delivered already, is not sent again.
 */
public final class WebhookSender {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

    private final Http http;
    private final Vertx vertx;
    private final Clock clock;
    private final DoubleSupplier random;
    private final WatchdogMetrics metrics;

    public WebhookSender(Vertx vertx, Clock clock, DoubleSupplier random, WatchdogMetrics metrics) {
        this.vertx = vertx;
        this.http = new Http(vertx);
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
    }

    /** The end of a delivery: delivered, given up, or dropped as no longer wanted; after how many attempts. */
    public record Delivery(boolean delivered, int attempts, int status, @Nullable String error, boolean dropped) {
        public Delivery(boolean delivered, int attempts, int status, @Nullable String error) {
            this(delivered, attempts, status, error, false);
        }

        Delivery withAttempts(int n) {
            return new Delivery(delivered, n, status, error, dropped);
        }
    }

    /**
     * One outbound message. Its request may carry a token in its URL and headers: they are never
     * logged. {@code before}: asked before each attempt; a delivery ends it there (dropped, or found
     * done), empty goes on. {@code read}: what an answer means, as the receiver's kind says.
     * Optional: secret (signs).
     */
    public record Post(String kind, Http.Request request, @Nullable Secret secret, Retry retry, String messageId,
                       Supplier<Future<Optional<Delivery>>> before, BiFunction<Http.Response, Clock, Reading> read) {}

    /** Delivers to a rollback target; the future always succeeds, with what happened. */
    public Future<Delivery> deliver(String kind, Webhook target, String messageId, Buffer body,
                                    Supplier<Future<Boolean>> stillOurs) {
        return deliver(new Post(kind, Http.Request.post(target.url(), body, target.timeout()), target.secret(),
                target.retry(), messageId, () -> stillOurs.get().otherwise(true).map(ours -> ours ? Optional.empty()
                        : Optional.of(new Delivery(false, 0, 0, "no longer wanted", true))), Reading::of));
    }

    public Future<Delivery> deliver(String kind, Webhook target, String messageId, Buffer body) {
        return deliver(kind, target, messageId, body, () -> Future.succeededFuture(true));
    }

    /** Delivers a post; the future always succeeds, with what happened. */
    public Future<Delivery> deliver(Post post) {
        return attempts(post.kind(), post.retry(), post.messageId(), post.before(),
                () -> http.send(signed(post)).transform(ar -> Future.succeededFuture(ar.succeeded()
                        ? post.read().apply(ar.result(), clock) : Reading.failed(why(ar.cause())))));
    }

    /**
     * The one retry loop of every effect: asks {@code before} whether to go on, makes the attempt,
     * and tries again while the reading says so, within the retry's attempts and budget. The future
     * always succeeds, with what happened. {@code id}: what the log names the effect by.
     */
    public Future<Delivery> attempts(String kind, Retry retry, String id, Supplier<Future<Optional<Delivery>>> before,
                                     Supplier<Future<Reading>> attempt) {
        return attempt(kind, retry, id, before, attempt, 1, clock.instant());
    }

    private Future<Delivery> attempt(String kind, Retry retry, String id, Supplier<Future<Optional<Delivery>>> before,
                                     Supplier<Future<Reading>> attempt, int n, Instant first) {
        return before.get().compose(stop -> stop.isPresent() ? Future.succeededFuture(stop.get().withAttempts(n - 1))
                : attempt.get().compose(answer -> {
                    metrics.webhookAttempt(kind, answer.outcome());
                    if (answer.delivered()) {
                        return Future.succeededFuture(new Delivery(true, n, answer.status(), null));
                    }
                    LOG.warn("attempt failed kind={} id={} attempt={} error=\"{}\"", kind, id, n, answer.error());
                    Duration wait = new Backoff(retry.initial(), retry.max()).delay(n, answer.retryAfter(),
                            random.getAsDouble());
                    if (!answer.retryable() || n >= retry.maxAttempts() || spent(retry, first, wait)) {
                        return Future.succeededFuture(new Delivery(false, n, answer.status(), answer.error()));
                    }
                    return vertx.timer(Math.max(1, wait.toMillis()))
                            .compose(x -> attempt(kind, retry, id, before, attempt, n + 1, first));
                }));
    }

    /** Whether the next attempt would start after the retry budget ({@code for}) has run out. */
    private boolean spent(Retry retry, Instant first, Duration wait) {
        return retry.budget() != null && clock.instant().plus(wait).isAfter(first.plus(retry.budget()));
    }

    private Http.Request signed(Post post) {
        Http.Request request = post.request().header("Idempotency-Key", post.messageId())
                .header("webhook-id", post.messageId());
        if (post.secret() == null) {
            return request;
        }
        long now = clock.instant().getEpochSecond();
        byte[] body = post.request().body() == null ? new byte[0] : post.request().body().getBytes();
        return request.header("webhook-timestamp", String.valueOf(now))
                .header("webhook-signature", Signature.sign(post.secret(), post.messageId(), now, body));
    }

    private static @Nullable String why(Throwable e) {
        return e instanceof Http.Failure ? e.getMessage() : Failures.describe(e);
    }
}
