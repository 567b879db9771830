package dev.watchdog.action;

import static dev.watchdog.testing.WebhookRecorder.Reply.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.core.Secret;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.receiver.Reading;
import dev.watchdog.receiver.Retry;
import dev.watchdog.receiver.Webhook;
import dev.watchdog.testing.WebhookRecorder.Reply;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {

    static Vertx vertx;
    WebhookRecorder recorder;
    final WatchdogMetrics metrics = new WatchdogMetrics();
    final WebhookSender sender = new WebhookSender(vertx, Clock.systemUTC(), () -> 0.5, metrics);
    static final Buffer BODY = Buffer.buffer("{\"type\":\"rollback\"}");

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @BeforeEach
    void recorder() {
        recorder = new WebhookRecorder(vertx).start();
    }

    Webhook target(Secret secret, int attempts) {
        return new Webhook(recorder.url("/hook"), secret, Duration.ofSeconds(2),
                new Retry(attempts, Duration.ofMillis(20), Duration.ofMillis(100)));
    }

    @Test
    @DisplayName("5xx and 429 are retried until delivered, with the same message id every time")
    void retries() {
        recorder.reply(status(500), status(503), status(429), status(200));
        WebhookSender.Delivery d = sender.deliver("rollback", target(null, 8), "rel_1:rollback", BODY).await();
        assertTrue(d.delivered());
        assertEquals(4, d.attempts());
        assertEquals(4, recorder.calls.size());
        recorder.calls.forEach(c -> {
            assertEquals("rel_1:rollback", c.header("Idempotency-Key"));
            assertEquals("rel_1:rollback", c.header("webhook-id"));
            assertEquals(BODY.toString(), c.body());
            assertEquals("application/json", c.header("Content-Type"));
        });
        assertTrue(metrics.scrape().contains("watchdog_webhook_attempts_total{kind=\"rollback\",outcome=\"server_error\"} 2.0"));
    }

    @Test
    @DisplayName("Retry-After is honoured: the next attempt waits at least that long")
    void retryAfter() {
        recorder.reply(new Reply(429, Map.of("Retry-After", "1"), false));
        assertTrue(sender.deliver("rollback", target(null, 3), "k", BODY).await().delivered());
        Duration gap = Duration.between(recorder.calls.get(0).at(), recorder.calls.get(1).at());
        assertTrue(gap.compareTo(Duration.ofMillis(950)) >= 0, "waited only " + gap);
    }

    @Test
    @DisplayName("a 400 is not retried: the delivery fails at once with the status")
    void noRetryOn400() {
        recorder.reply(status(400));
        WebhookSender.Delivery d = sender.deliver("rollback", target(null, 8), "k", BODY).await();
        assertFalse(d.delivered());
        assertEquals(1, d.attempts());
        assertEquals(400, d.status());
        assertEquals("HTTP 400", d.error());
        assertEquals(1, recorder.calls.size());
    }

    @Test
    @DisplayName("retries stop after the configured attempts")
    void givesUp() {
        recorder.otherwise(status(500));
        WebhookSender.Delivery d = sender.deliver("rollback", target(null, 3), "k", BODY).await();
        assertFalse(d.delivered());
        assertEquals(3, recorder.calls.size());
    }

    @Test
    @DisplayName("network errors are retried")
    void networkErrors() {
        Webhook nowhere = new Webhook("http://127.0.0.1:1/hook", null, Duration.ofSeconds(1),
                new Retry(2, Duration.ofMillis(10), Duration.ofMillis(10)));
        WebhookSender.Delivery d = sender.deliver("rollback", nowhere, "k", BODY).await();
        assertFalse(d.delivered());
        assertEquals(2, d.attempts());
        assertEquals(0, d.status());
    }

    @Test
    @DisplayName("with a secret, the Standard Webhooks signature verifies with that secret, and without one there is none")
    void signature() throws Exception {
        String raw = "a-shared-secret-of-32-bytes-long";
        Secret secret = new Secret("whsec_" + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8)));
        sender.deliver("rollback", target(secret, 1), "rel_9:rollback", BODY).await();
        WebhookRecorder.Call call = recorder.calls.get(0);
        long timestamp = Long.parseLong(call.header("webhook-timestamp"));
        assertTrue(Math.abs(timestamp - Instant.now().getEpochSecond()) < 60);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(raw.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(
                mac.doFinal(("rel_9:rollback." + timestamp + "." + call.body()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, call.header("webhook-signature"));

        sender.deliver("rollback", target(null, 1), "unsigned", BODY).await();
        assertNull(recorder.calls.get(1).header("webhook-signature"));
    }

    @Test
    @DisplayName("backoff grows exponentially with jitter, is capped, and yields to Retry-After")
    void backoff() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertEquals(Duration.ofMillis(500), b.delay(1, Optional.empty(), 0));
        assertEquals(Duration.ofMillis(999), b.delay(1, Optional.empty(), 0.999));
        assertEquals(Duration.ofSeconds(4), b.delay(4, Optional.empty(), 0));
        assertEquals(Duration.ofSeconds(15), b.delay(20, Optional.empty(), 0));
        assertEquals(Duration.ofSeconds(7), b.delay(1, Optional.of(Duration.ofSeconds(7)), 0.3));
        assertEquals(Backoff.LONGEST_RETRY_AFTER, b.delay(1, Optional.of(Duration.ofHours(5)), 0));
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), java.time.ZoneOffset.UTC);
        assertEquals(Optional.of(Duration.ofSeconds(30)), Reading.retryAfter("Sat, 21 Nov 2026 10:00:30 GMT", clock));
        assertEquals(Optional.of(Duration.ofSeconds(3)), Reading.retryAfter("3", clock));
        assertEquals(Optional.empty(), Reading.retryAfter("soon", clock));
    }
}
