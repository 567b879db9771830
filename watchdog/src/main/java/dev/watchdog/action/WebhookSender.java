package dev.watchdog.action;

import dev.watchdog.config.WatchdogConfig.Retry;
import dev.watchdog.config.WatchdogConfig.Webhook;
import dev.watchdog.core.Failures;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.http.Signature;
import dev.watchdog.metrics.WatchdogMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs JSON: {@code Idempotency-Key} and {@code webhook-id} are the message id on every attempt;
 * signed when there is a secret. Each attempt has a deadline for the whole exchange (the post's
 * timeout) and follows no redirect. Retries network errors, timeouts, 429 and 5xx with backoff,
 * honouring {@code Retry-After} (or Telegram's {@code parameters.retry_after}); never other 4xx or
 * a 3xx. Before every attempt it asks whether the message is still wanted.
 */
public final class WebhookSender {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

    private final Vertx vertx;
    private final Http http;
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
    public record Delivery(boolean delivered, int attempts, int status, String error, boolean dropped) {
        public Delivery(boolean delivered, int attempts, int status, String error) {
            this(delivered, attempts, status, error, false);
        }
    }

    /**
     * One outbound message. {@code url} and {@code headers} may carry a token: they are never logged.
     * Optional: secret (signs), headers.
     */
    public record Post(String kind, String url, Map<String, Secret> headers, Secret secret, Duration timeout, Retry retry,
                       String messageId, Buffer body, Supplier<Future<Boolean>> wanted) {

        public Post {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /** Delivers to a webhook target; the future always succeeds, with what happened. */
    public Future<Delivery> deliver(String kind, Webhook target, String messageId, Buffer body) {
        return deliver(new Post(kind, target.url(), Map.of(), target.secret(), target.timeout(), target.retry(), messageId,
                body, () -> Future.succeededFuture(true)));
    }

    /** Delivers a post; the future always succeeds, with what happened. */
    public Future<Delivery> deliver(Post post) {
        return attempt(post, 1, clock.instant());
    }

    private Future<Delivery> attempt(Post post, int n, Instant first) {
        return post.wanted().get().otherwise(true).compose(wanted -> wanted ? sendAndRetry(post, n, first)
                : Future.succeededFuture(new Delivery(false, n - 1, 0, "no longer wanted", true)));
    }

    private Future<Delivery> sendAndRetry(Post post, int n, Instant first) {
        return send(post).transform(ar -> {
            Answer answer = ar.succeeded() ? Answer.of(ar.result(), clock) : Answer.failed(ar.cause());
            metrics.webhookAttempt(post.kind(), answer.outcome());
            if (answer.status() / 100 == 2) {
                return Future.succeededFuture(new Delivery(true, n, answer.status(), null));
            }
            LOG.warn("webhook attempt failed kind={} id={} attempt={} error=\"{}\"", post.kind(), post.messageId(), n,
                    answer.error());
            Backoff backoff = new Backoff(post.retry().initial(), post.retry().max());
            Duration wait = backoff.delay(n, answer.retryAfter(), random.getAsDouble());
            if (!answer.retryable() || n >= post.retry().maxAttempts() || spent(post.retry(), first, wait)) {
                return Future.succeededFuture(new Delivery(false, n, answer.status(), answer.error()));
            }
            return vertx.timer(Math.max(1, wait.toMillis())).compose(x -> attempt(post, n + 1, first));
        });
    }

    /** Whether the next attempt would start after the retry budget ({@code for}) has run out. */
    private boolean spent(Retry retry, Instant first, Duration wait) {
        return retry.budget() != null && clock.instant().plus(wait).isAfter(first.plus(retry.budget()));
    }

    private Future<Http.Response> send(Post post) {
        Http.Request request = Http.Request.post(post.url(), post.body(), post.timeout())
                .header("Idempotency-Key", post.messageId())
                .header("webhook-id", post.messageId());
        for (Map.Entry<String, Secret> header : post.headers().entrySet()) {
            request = request.header(header.getKey(), header.getValue().value());
        }
        if (post.secret() != null) {
            long now = clock.instant().getEpochSecond();
            request = request.header("webhook-timestamp", String.valueOf(now))
                    .header("webhook-signature", Signature.sign(post.secret(), post.messageId(), now,
                            post.body().getBytes()));
        }
        return http.send(request);
    }

    /** One attempt's answer, classified. */
    private record Answer(int status, boolean retryable, Optional<Duration> retryAfter, String error) {

        static Answer of(Http.Response response, Clock clock) {
            int status = response.status();
            boolean retryable = status == 429 || status >= 500;
            Optional<Duration> retryAfter = Backoff.retryAfter(response.header("Retry-After"), clock)
                    .or(() -> bodyRetryAfter(response));
            String error = status / 100 == 2 ? null : status / 100 == 3 ? "HTTP " + status + " (redirects are not followed)"
                    : "HTTP " + status;
            return new Answer(status, retryable, retryAfter, error);
        }

        /** Telegram says how long to wait in the body: {@code {"parameters": {"retry_after": 3}}}. */
        private static Optional<Duration> bodyRetryAfter(Http.Response response) {
            try {
                JsonObject body = response.body().length() == 0 ? null : response.body().toJsonObject();
                Integer seconds = body == null ? null : body.getJsonObject("parameters", new JsonObject())
                        .getInteger("retry_after");
                return Optional.ofNullable(seconds).map(Duration::ofSeconds);
            } catch (RuntimeException notJson) {
                return Optional.empty();
            }
        }

        static Answer failed(Throwable e) {
            return new Answer(0, true, Optional.empty(), e instanceof Http.Failure ? e.getMessage() : Failures.describe(e));
        }

        String outcome() {
            return status == 0 ? "network_error" : status / 100 == 2 ? "delivered"
                    : status == 429 ? "rate_limited" : status >= 500 ? "server_error" : "rejected";
        }
    }
}
