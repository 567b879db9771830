package dev.watchdog.action;

import static dev.watchdog.testing.WebhookRecorder.Reply.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.evaluation.Severity;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.rules.RuleFixtures;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.SqliteStore;
import dev.watchdog.store.Store;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder;
import dev.watchdog.testing.WebhookRecorder.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receivers over real HTTP, against fakes of Slack and Telegram that record what they get. */
class NotifierTest {

    static Vertx vertx;
    WebhookRecorder fake;
    WebhookRecorder alwaysFailing;
    Store store;
    Notifier notifier;
    final WatchdogMetrics metrics = new WatchdogMetrics();
    final Map<String, Incident> incidents = new HashMap<>();
    static final RuleSet RULES = RuleFixtures.ruleSet("""
                  - name: error-rate
                    signal: errors
                    expr: x{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                    annotations: {runbook: "https://runbooks.example/error-rate"}
            """);

    @TempDir
    Path dir;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void close() {
        vertx.close().await();
    }

    @BeforeEach
    void start() {
        incidents.put("rel_1", incident(Incident.Status.OPEN));
        fake = new WebhookRecorder(vertx).start();
        alwaysFailing = new WebhookRecorder(vertx).start().otherwise(status(500));
        store = SqliteStore.open(vertx, dir).await();
        WatchdogConfig config = new ConfigLoader(name -> null).parse("""
                prometheus: {url: "http://127.0.0.1:1"}
                server: {externalUrl: "https://watchdog.example"}
                receivers:
                  rm: {slack: {url: "%s"}, minInterval: 0s, retry: {attempts: 4, initial: 50ms, max: 100ms}}
                  slow-rm: {slack: {url: "%s"}, minInterval: 500ms, retry: {attempts: 2, initial: 50ms, max: 50ms}}
                  devops: {telegram: {token: "123:ABC", chatId: "-1001", apiUrl: "%s"}, minInterval: 0s,
                           retry: {attempts: 3, initial: 50ms, max: 100ms}}
                  broken: {slack: {url: "%s"}, minInterval: 0s, retry: {attempts: 2, initial: 50ms, max: 50ms}}
                """.formatted(fake.url("/slack"), fake.url("/slow"), fake.url(""), alwaysFailing.url("/broken")), "test.yml");
        WebhookSender sender = new WebhookSender(vertx, Clock.systemUTC(), () -> 0.5, metrics);
        notifier = new Notifier(vertx, sender, store, config, metrics, Clock.systemUTC(),
                id -> Optional.ofNullable(incidents.get(id)), () -> RULES);
    }

    static Message message(String title, List<String> lines) {
        return new Message(title, lines, "P1", "api", "1.4.0", "production", "rel_1", List.of("error-rate"),
                "https://runbooks.example/error-rate", true);
    }

    Notification notification(String receiver, Notice.Kind kind, Message m, String key) {
        return new Notification(key + "@" + receiver, "rel_1", "rel_1.1", receiver, kind, m,
                Notification.Status.PENDING, 0, Instant.now(), Instant.now(), null);
    }

    void send(Notification n) {
        vertx.runOnContext(x -> notifier.send(List.of(n)));
    }

    Notification stored(String key) {
        return store.notifications("rel_1").await().stream().filter(n -> n.key().equals(key)).findFirst().orElse(null);
    }

    void awaitStored(String key, Notification.Status status) {
        Poll.until(Duration.ofSeconds(10), key + " to be " + status.label(), () -> {
            Notification n = stored(key);
            return n != null && n.status() == status;
        });
    }

    @Test
    @DisplayName("Slack gets text for notifications and blocks for the message")
    void slackPayload() {
        send(notification("rm", Notice.Kind.OPENED, message("[P1] Breach in api 1.4.0 (production)",
                List.of("- error-rate: 7.3 % (P1 > 1 %)", "Runbook: https://runbooks.example/error-rate")), "k1"));
        awaitStored("k1@rm", Notification.Status.SENT);
        JsonObject body = new JsonObject(fake.calls("/slack").get(0).body());
        assertEquals("[P1] Breach in api 1.4.0 (production)", body.getString("text"));
        assertEquals(new JsonArray()
                .add(new JsonObject().put("type", "section").put("text", new JsonObject().put("type", "mrkdwn")
                        .put("text", "*[P1] Breach in api 1.4.0 (production)*")))
                .add(new JsonObject().put("type", "section").put("text", new JsonObject().put("type", "mrkdwn")
                        .put("text", "- error-rate: 7.3 % (P1 &gt; 1 %)\nRunbook: https://runbooks.example/error-rate")))
                .add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(new JsonObject()
                        .put("type", "mrkdwn").put("text", "release rel_1 | api 1.4.0 | production")))),
                body.getJsonArray("blocks"));
        assertEquals(1, stored("k1@rm").attempts());
    }

    @Test
    @DisplayName("Slack's 429 with Retry-After is honoured, and a 500 is retried")
    void slackRetries() {
        fake.reply(new Reply(429, Map.of("Retry-After", "1"), false), status(500));
        send(notification("rm", Notice.Kind.OPENED, message("t", List.of("l")), "k2"));
        awaitStored("k2@rm", Notification.Status.SENT);
        List<WebhookRecorder.Call> calls = fake.calls("/slack");
        assertEquals(3, calls.size());
        Duration gap = Duration.between(calls.get(0).at(), calls.get(1).at());
        assertTrue(gap.compareTo(Duration.ofMillis(950)) >= 0, "waited " + gap);
        assertEquals(3, stored("k2@rm").attempts());
    }

    @Test
    @DisplayName("Telegram gets sendMessage with the chat id; its retry_after is honoured; long text is cut to 4096")
    void telegram() {
        fake.reply(Reply.json(429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests\","
                + "\"parameters\":{\"retry_after\":1}}"));
        String longLine = "x".repeat(5000);
        send(notification("devops", Notice.Kind.OPENED, message("title", List.of(longLine)), "k3"));
        awaitStored("k3@devops", Notification.Status.SENT);
        List<WebhookRecorder.Call> calls = fake.calls("/bot123:ABC/sendMessage");
        assertEquals(2, calls.size());
        assertTrue(Duration.between(calls.get(0).at(), calls.get(1).at()).compareTo(Duration.ofMillis(950)) >= 0);
        JsonObject body = new JsonObject(calls.get(1).body());
        assertEquals("-1001", body.getString("chat_id"));
        String text = body.getString("text");
        assertEquals(4096, text.length());
        assertTrue(text.startsWith("title\nxxx"));
        assertTrue(text.endsWith("[cut: 910+ characters more]"), text.substring(4000));
    }

    @Test
    @DisplayName("a receiver that keeps failing is stored as failed, counted, and never holds up the others")
    void failingReceiver() {
        send(notification("broken", Notice.Kind.OPENED, message("t", List.of("l")), "k4"));
        send(notification("rm", Notice.Kind.OPENED, message("t", List.of("l")), "k4"));
        awaitStored("k4@rm", Notification.Status.SENT);
        awaitStored("k4@broken", Notification.Status.FAILED);
        assertEquals("HTTP 500", stored("k4@broken").error());
        assertEquals(2, alwaysFailing.calls.size(), "its two attempts");
        String text = metrics.scrape();
        assertTrue(text.contains("watchdog_notifications_total{outcome=\"failed\",receiver=\"broken\"} 1.0"), text);
        assertTrue(text.contains("watchdog_receiver_failing{receiver=\"broken\"} 1.0"), text);
        assertTrue(text.contains("watchdog_receiver_failing{receiver=\"rm\"} 0.0"), text);
        List<String> types = store.events("rel_1").await().stream().map(e -> e.type()).toList();
        assertTrue(types.containsAll(List.of("notification_sent", "notification_failed")), types.toString());
    }

    @Test
    @DisplayName("messages to one receiver are paced by its minInterval")
    void pacing() {
        send(notification("slow-rm", Notice.Kind.OPENED, message("one", List.of()), "p1"));
        send(notification("slow-rm", Notice.Kind.ESCALATED, message("two", List.of()), "p2"));
        awaitStored("p2@slow-rm", Notification.Status.SENT);
        List<WebhookRecorder.Call> calls = fake.calls("/slow");
        Duration gap = Duration.between(calls.get(0).at(), calls.get(1).at());
        assertTrue(gap.compareTo(Duration.ofMillis(480)) >= 0, "only " + gap + " apart");
    }

    @Test
    @DisplayName("a page still retrying is dropped once its incident is acknowledged")
    void droppedAfterAck() {
        fake.reply(new Reply(429, Map.of("Retry-After", "1"), false));
        send(notification("rm", Notice.Kind.ESCALATED, message("t", List.of()), "d1"));
        Poll.until(Duration.ofSeconds(5), "the first attempt", () -> fake.calls("/slack").size() == 1);
        incidents.put("rel_1", incident(Incident.Status.ACKNOWLEDGED));
        awaitStored("d1@rm", Notification.Status.DROPPED);
        assertEquals(1, fake.calls("/slack").size());
    }

    static Incident incident(Incident.Status status) {
        return new Incident("rel_1.1", "rel_1", 1, Severity.P1, status,
                Map.of("error-rate", new Breach("error-rate", Severity.P1, 0.02, null, "> 0.01")), null, Instant.now(),
                Instant.now(), 1, Instant.now(), 0, 1, null, null, null, false, List.of(), null, null);
    }

    @Test
    @DisplayName("values read in the rule's unit")
    void units() {
        assertEquals("7.3 %", Units.format(dev.watchdog.rules.Rule.Unit.RATIO, 0.073));
        assertEquals("850 ms", Units.format(dev.watchdog.rules.Rule.Unit.SECONDS, 0.85));
        assertEquals("2.5 s", Units.format(dev.watchdog.rules.Rule.Unit.SECONDS, 2.5));
        assertEquals("1.5 GiB", Units.format(dev.watchdog.rules.Rule.Unit.BYTES, 1.5 * 1024 * 1024 * 1024));
        assertEquals("> 5 %", Units.threshold(dev.watchdog.rules.Rule.Unit.RATIO, "> 0.05"));
        assertEquals("<= 99.9 %", Units.threshold(dev.watchdog.rules.Rule.Unit.PERCENT, "<= 99.9"));
    }
}
