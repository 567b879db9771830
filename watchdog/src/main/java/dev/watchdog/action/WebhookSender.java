package dev.watchdog.action;

import dev.watchdog.config.WatchdogConfig.Webhook;
import dev.watchdog.metrics.WatchdogMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs JSON to a webhook: {@code Idempotency-Key} and {@code webhook-id} are the message id on every
 * attempt; signed when the target has a secret. Retries network errors, 429 and 5xx with backoff;
 * never other 4xx.
 */
public final class WebhookSender {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

    private final Vertx vertx;
    private final WebClient http;
    private final Clock clock;
    private final DoubleSupplier random;
    private final WatchdogMetrics metrics;

    public WebhookSender(Vertx vertx, Clock clock, DoubleSupplier random, WatchdogMetrics metrics) {
        this.vertx = vertx;
        this.http = WebClient.create(vertx);
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
    }

    /** The end of a delivery: delivered or given up, after how many attempts. */
    public record Delivery(boolean delivered, int attempts, int status, String error) {}

    /** Delivers {@code body}; the future always succeeds, with what happened. */
    public Future<Delivery> deliver(String kind, Webhook target, String messageId, Buffer body) {
        return attempt(kind, target, messageId, body, 1);
    }

    private Future<Delivery> attempt(String kind, Webhook target, String id, Buffer body, int n) {
        return post(target, id, body).transform(ar -> {
            Answer answer = ar.succeeded() ? Answer.of(ar.result(), clock) : Answer.failed(ar.cause());
            metrics.webhookAttempt(kind, answer.outcome());
            if (answer.status() / 100 == 2) {
                return Future.succeededFuture(new Delivery(true, n, answer.status(), null));
            }
            LOG.warn("webhook attempt failed kind={} id={} attempt={} error=\"{}\"", kind, id, n, answer.error());
            if (!answer.retryable() || n >= target.retry().attempts()) {
                return Future.succeededFuture(new Delivery(false, n, answer.status(), answer.error()));
            }
            Backoff backoff = new Backoff(target.retry().initial(), target.retry().max());
            Duration wait = backoff.delay(n, answer.retryAfter(), random.getAsDouble());
            return vertx.timer(Math.max(1, wait.toMillis())).compose(x -> attempt(kind, target, id, body, n + 1));
        });
    }

    private Future<HttpResponse<Buffer>> post(Webhook target, String id, Buffer body) {
        var request = http.postAbs(target.url())
                .timeout(target.timeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", id)
                .putHeader("webhook-id", id);
        if (target.secret() != null) {
            long now = clock.instant().getEpochSecond();
            request.putHeader("webhook-timestamp", String.valueOf(now))
                    .putHeader("webhook-signature", Signature.sign(target.secret(), id, now, body.getBytes()));
        }
        return request.sendBuffer(body);
    }

    /** One attempt's answer, classified. */
    private record Answer(int status, boolean retryable, Optional<Duration> retryAfter, String error) {

        static Answer of(HttpResponse<Buffer> response, Clock clock) {
            int status = response.statusCode();
            boolean retryable = status == 429 || status >= 500;
            return new Answer(status, retryable, Backoff.retryAfter(response.getHeader("Retry-After"), clock),
                    status / 100 == 2 ? null : "HTTP " + status);
        }

        static Answer failed(Throwable e) {
            // The URL is never repeated: it may carry a token (Slack, Telegram).
            return new Answer(0, true, Optional.empty(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }

        String outcome() {
            return status == 0 ? "network_error" : status / 100 == 2 ? "delivered"
                    : status == 429 ? "rate_limited" : status >= 500 ? "server_error" : "rejected";
        }
    }
}
