package dev.watchdog.action;

import static dev.watchdog.testing.WebhookRecorder.Reply.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Units;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.machine.Answer;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.rules.Threshold;
import dev.watchdog.testing.WebhookRecorder.Reply;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The receivers over real HTTP, against fakes of Slack and Telegram that record what they get. */
@ExtendWith(VertxExtension.class)
class NotifierTest {

    WebhookRecorder fake;
    WebhookRecorder alwaysFailing;
    WebhookRecorder gone;
    Notifier notifier;
    Context context;
    final WatchdogMetrics metrics = new WatchdogMetrics();
    final AtomicBoolean wanted = new AtomicBoolean(true);

    @BeforeEach
    void start(Vertx vertx) {
        fake = new WebhookRecorder(vertx).start();
        alwaysFailing = new WebhookRecorder(vertx).start().otherwise(status(500));
        gone = new WebhookRecorder(vertx).start()
                .otherwise(new WebhookRecorder.Reply(404, Map.of("Content-Type", "text/plain"), false, "no_service"));
        WatchdogConfig config = new ConfigLoader(name -> null).parse("""
                prometheus: {url: "http://127.0.0.1:1"}
                server: {externalUrl: "https://watchdog.example"}
                receivers:
                  rm: {slack: {url: "%s"}, minInterval: 0s, retry: {attempts: 4, initial: 50ms, max: 100ms}}
                  slow-rm: {slack: {url: "%s"}, minInterval: 500ms, retry: {attempts: 2, initial: 50ms, max: 50ms}}
                  devops: {telegram: {token: "123:ABC", chatId: "-1001", apiUrl: "%s"}, minInterval: 0s,
                           retry: {attempts: 3, initial: 50ms, max: 100ms}}
                  broken: {slack: {url: "%s"}, minInterval: 0s, retry: {attempts: 2, initial: 50ms, max: 50ms}}
                  cluster: {alertmanager: {urls: ["%s", "%s"], headers: {Authorization: "Bearer am-secret"}},
                            minInterval: 0s, retry: {attempts: 2, initial: 50ms, max: 50ms}}
                  removed: {slack: {url: "%s"}, minInterval: 0s, retry: {attempts: 4, initial: 50ms, max: 50ms}}
                  down: {alertmanager: {url: "%s", urls: ["%s"]}, minInterval: 0s, retry: {attempts: 2, initial: 50ms, max: 50ms}}
                """.formatted(fake.url("/slack"), fake.url("/slow"), fake.url(""), alwaysFailing.url("/broken"),
                alwaysFailing.url("/am1"), fake.url("/am2"), gone.url("/services/T0/B0/gone"), alwaysFailing.url("/am3"),
                alwaysFailing.url("/am4")), "test.yml");
        WebhookSender sender = new WebhookSender(vertx, Clock.systemUTC(), () -> 0.5, metrics);
        context = vertx.getOrCreateContext();
        notifier = new Notifier(vertx, sender, config::receivers, metrics, Clock.systemUTC(),
                id -> Future.succeededFuture("# report of " + id));
    }

    static Message message(String title, List<String> lines) {
        return new Message(title, lines, "P1", "api", "1.4.0", "production", "rel_1", List.of("error-rate"),
                "https://runbooks.example/error-rate", true);
    }

    static Notification notification(String receiver, Notice.Kind kind, Message m, String key) {
        return new Notification(key + "@" + receiver, "rel_1", "rel_1.1", receiver, kind, m, Instant.now());
    }

    /** Delivers on the notifier's own context, as the daemon does. */
    Future<Answer> deliver(Notification n) {
        Promise<Answer> answer = Promise.promise();
        context.runOnContext(x -> notifier.deliver(n, () -> Future.succeededFuture(wanted.get())).onComplete(answer));
        return answer.future();
    }

    @Test
    @DisplayName("Slack gets text for notifications and blocks for the message")
    void slackPayload(VertxTestContext test) {
        deliver(notification("rm", Notice.Kind.OPENED, message("[P1] Breach in api 1.4.0 (production)",
                List.of("- error-rate: 7.3 % (P1 > 1 %)", "Runbook: https://runbooks.example/error-rate")), "k1"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    assertEquals(OutboxEntry.Status.SENT, answer.status());
                    assertEquals(1, answer.attempts());
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
                    test.completeNow();
                })));
    }

    /** A message whose every user-given part is hostile, with a link to the release's page. */
    static Message hostile() {
        return new Message("[P1] Breach in <!channel> 1.4.0 (<https://evil.example|production>)",
                List.of("- error-rate: 7.3 %", "Acknowledged by @team: <https://evil.example|Acknowledge here> & <b>go</b>"),
                "P1", "<!channel>", "1.4.0", "<https://evil.example|production>", "rel_1", List.of("error-rate"), null,
                true, Map.of(), List.of(), "https://watchdog.example/#rel_1");
    }

    @Test
    @DisplayName("Slack: a service named <!channel> and a planted link are shown as text, never act; the page's link is ours")
    void slackEscapes(VertxTestContext test) {
        deliver(notification("rm", Notice.Kind.OPENED, hostile(), "hostile-slack"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    JsonObject body = new JsonObject(fake.calls("/slack").stream()
                            .filter(c -> c.header("Idempotency-Key").startsWith("hostile-slack")).findFirst().orElseThrow().body());
                    assertEquals("[P1] Breach in &lt;!channel&gt; 1.4.0 (&lt;https://evil.example|production&gt;)",
                            body.getString("text"));
                    String all = body.encode();
                    assertFalse(all.contains("<!channel>") || all.contains("<https://evil"), all);
                    assertTrue(all.contains("Acknowledged by @team: &lt;https://evil.example|Acknowledge here&gt; &amp; "
                            + "&lt;b&gt;go&lt;/b&gt;"), all);
                    assertTrue(all.endsWith("| <https://watchdog.example/#rel_1|Open the release>\"}]}]}"), all);
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("Telegram: HTML from user text is shown as text, @team mentions nobody; the title is bold, the page linked")
    void telegramEscapes(VertxTestContext test) {
        deliver(notification("devops", Notice.Kind.OPENED, hostile(), "hostile-telegram"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    JsonObject body = new JsonObject(fake.calls("/bot123:ABC/sendMessage").stream()
                            .filter(c -> c.header("Idempotency-Key").startsWith("hostile-telegram")).findFirst().orElseThrow()
                            .body());
                    assertEquals("<b>[P1] Breach in &lt;!channel&gt; 1.4.0 (&lt;https://evil.example|production&gt;)</b>\n"
                            + "- error-rate: 7.3 %\nAcknowledged by @\u2060team: &lt;https://evil.example|Acknowledge here&gt;"
                            + " &amp; &lt;b&gt;go&lt;/b&gt;\n<a href=\"https://watchdog.example/#rel_1\">Open the release</a>",
                            body.getString("text"));
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("Slack's 429 with Retry-After is honoured, and a 500 is retried")
    void slackRetries(VertxTestContext test) {
        fake.reply(new Reply(429, Map.of("Retry-After", "1"), false), status(500));
        deliver(notification("rm", Notice.Kind.OPENED, message("t", List.of("l")), "k2"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    assertEquals(OutboxEntry.Status.SENT, answer.status());
                    assertEquals(3, answer.attempts());
                    List<WebhookRecorder.Call> calls = fake.calls("/slack");
                    assertEquals(3, calls.size());
                    Duration gap = Duration.between(calls.get(0).at(), calls.get(1).at());
                    assertTrue(gap.compareTo(Duration.ofMillis(950)) >= 0, "waited " + gap);
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("Telegram gets sendMessage with the chat id; its retry_after is honoured; long text is cut to 4096")
    void telegram(VertxTestContext test) {
        fake.reply(Reply.json(429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests\","
                + "\"parameters\":{\"retry_after\":1}}"));
        String longLine = "x".repeat(5000);
        deliver(notification("devops", Notice.Kind.OPENED, message("title", List.of(longLine)), "k3"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    assertEquals(OutboxEntry.Status.SENT, answer.status());
                    List<WebhookRecorder.Call> calls = fake.calls("/bot123:ABC/sendMessage");
                    assertEquals(2, calls.size());
                    assertTrue(Duration.between(calls.get(0).at(), calls.get(1).at()).compareTo(Duration.ofMillis(950)) >= 0);
                    JsonObject body = new JsonObject(calls.get(1).body());
                    assertEquals("-1001", body.getString("chat_id"));
                    assertEquals("HTML", body.getString("parse_mode"));
                    String text = body.getString("text");
                    assertEquals(4096, text.length());
                    assertTrue(text.startsWith("<b>title</b>\nxxx"), text.substring(0, 20));
                    assertTrue(text.endsWith("[cut: 917+ characters more]"), text.substring(4000));
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("a receiver that keeps failing is answered as failed, counted, and never holds up the others")
    void failingReceiver(VertxTestContext test) {
        Future<Answer> broken = deliver(notification("broken", Notice.Kind.OPENED, message("t", List.of("l")), "k4"));
        Future<Answer> rm = deliver(notification("rm", Notice.Kind.OPENED, message("t", List.of("l")), "k4"));
        Future.all(broken, rm).onComplete(test.succeeding(x -> test.verify(() -> {
            assertEquals(OutboxEntry.Status.SENT, rm.result().status());
            assertEquals(OutboxEntry.Status.FAILED, broken.result().status());
            assertEquals("HTTP 500", broken.result().error());
            assertEquals(2, alwaysFailing.calls.size(), "its two attempts");
            String text = metrics.scrape();
            assertTrue(text.contains("watchdog_notifications_total{outcome=\"failed\",receiver=\"broken\"} 1.0"), text);
            assertTrue(text.contains("watchdog_receiver_failing{receiver=\"broken\"} 1.0"), text);
            assertTrue(text.contains("watchdog_receiver_failing{receiver=\"rm\"} 0.0"), text);
            test.completeNow();
        })));
    }

    @Test
    @DisplayName("a receiver that refuses (a Slack webhook removed: 404 no_service) fails at once, loudly: Slack's words, the gauge up")
    void refusingReceiver(VertxTestContext test) {
        deliver(notification("removed", Notice.Kind.OPENED, message("t", List.of("l")), "k5"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    assertEquals(OutboxEntry.Status.FAILED, answer.status());
                    assertEquals("HTTP 404: no_service", answer.error());
                    assertEquals(1, gone.calls.size(), "a 4xx is not tried again");
                    String text = metrics.scrape();
                    assertTrue(text.contains("watchdog_receiver_failing{receiver=\"removed\"} 1.0"), text);
                    assertTrue(text.contains("watchdog_notifications_total{outcome=\"failed\",receiver=\"removed\"} 1.0"), text);
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("messages to one receiver are paced by its minInterval")
    void pacing(VertxTestContext test) {
        deliver(notification("slow-rm", Notice.Kind.OPENED, message("one", List.of()), "p1"));
        deliver(notification("slow-rm", Notice.Kind.ESCALATED, message("two", List.of()), "p2"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    List<WebhookRecorder.Call> calls = fake.calls("/slow");
                    Duration gap = Duration.between(calls.get(0).at(), calls.get(1).at());
                    assertTrue(gap.compareTo(Duration.ofMillis(480)) >= 0, "only " + gap + " apart");
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("a page still retrying is dropped once it is no longer wanted (its incident acknowledged)")
    void droppedWhenNoLongerWanted(VertxTestContext test) {
        fake.reply(new Reply(429, Map.of("Retry-After", "1"), false));
        Future<Answer> answer = deliver(notification("rm", Notice.Kind.ESCALATED, message("t", List.of()), "d1"));
        fake.arrived(1, Duration.ofSeconds(5)).onSuccess(first -> wanted.set(false))
                .compose(first -> answer).onComplete(test.succeeding(a -> test.verify(() -> {
                    assertEquals(OutboxEntry.Status.DROPPED, a.status());
                    assertEquals(1, fake.calls("/slack").size());
                    test.completeNow();
                })));
    }

    static Message withNotes() {
        return new Message("[P1] Breach in api 1.4.0 (production): error-rate 7.3 %", List.of("- error-rate: 7.3 %"), "P1",
                "api", "1.4.0", "production", "rel_1", List.of("error-rate"), "https://runbooks.example/error-rate", true,
                Map.of("cluster", "eu-1", "team", "platform", "severity", "low"),
                List.of(new Message.Note("error-rate", Map.of("team", "web", "page", "yes"), "5xx ratio of api",
                        "Share of requests answered with a 5xx", "https://runbooks.example/errors")),
                "https://watchdog.example/#rel_1");
    }

    @Test
    @DisplayName("an Alertmanager cluster gets every alert at each of its URLs with the headers; one that took it is enough")
    void alertmanagerCluster(VertxTestContext test) {
        deliver(notification("cluster", Notice.Kind.OPENED, withNotes(), "am1"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    assertEquals(OutboxEntry.Status.SENT, answer.status());
                    assertEquals(2, alwaysFailing.calls("/am1/api/v2/alerts").size(), "retried there as for any receiver");
                    WebhookRecorder.Call took = fake.calls("/am2/api/v2/alerts").get(0);
                    assertEquals("Bearer am-secret", took.header("Authorization"));
                    assertEquals("Bearer am-secret", alwaysFailing.calls("/am1/api/v2/alerts").get(0).header("Authorization"));
                    JsonObject alert = new JsonArray(took.body()).getJsonObject(0);
                    assertEquals(Map.of("alertname", "ReleaseWatchdogIncident", "service", "api", "environment", "production",
                            "release", "rel_1", "version", "1.4.0", "rule", "error-rate", "severity", "P1",
                            "cluster", "eu-1", "team", "web", "page", "yes"), alert.getJsonObject("labels").getMap(),
                            "the release's labels, the rule's over them, the watchdog's own over both");
                    assertEquals("https://watchdog.example/#rel_1", alert.getString("generatorURL"));
                    JsonObject annotations = alert.getJsonObject("annotations");
                    assertEquals("[P1] Breach in api 1.4.0 (production): error-rate 7.3 %", annotations.getString("summary"));
                    assertEquals("https://runbooks.example/errors", annotations.getString("runbook_url"));
                    assertEquals("5xx ratio of api", annotations.getString("rule_summary"));
                    assertEquals("Share of requests answered with a 5xx", annotations.getString("rule_description"));
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("an Alertmanager cluster none of whose members takes the alert is a failed delivery; url and urls together")
    void alertmanagerClusterDown(VertxTestContext test) {
        deliver(notification("down", Notice.Kind.OPENED, withNotes(), "am2"))
                .onComplete(test.succeeding(answer -> test.verify(() -> {
                    assertEquals(OutboxEntry.Status.FAILED, answer.status());
                    assertEquals("HTTP 500", answer.error());
                    assertEquals(2, alwaysFailing.calls("/am3/api/v2/alerts").size());
                    assertEquals(2, alwaysFailing.calls("/am4/api/v2/alerts").size());
                    test.completeNow();
                })));
    }

    @Test
    @DisplayName("values read in the rule's unit")
    void units() {
        assertEquals("7.3 %", Units.format(dev.watchdog.core.Unit.RATIO, 0.073));
        assertEquals("850 ms", Units.format(dev.watchdog.core.Unit.SECONDS, 0.85));
        assertEquals("2.5 s", Units.format(dev.watchdog.core.Unit.SECONDS, 2.5));
        assertEquals("1.5 GiB", Units.format(dev.watchdog.core.Unit.BYTES, 1.5 * 1024 * 1024 * 1024));
        assertEquals("> 5 %", Threshold.inUnit(dev.watchdog.core.Unit.RATIO, "> 0.05"));
        assertEquals("<= 99.9 %", Threshold.inUnit(dev.watchdog.core.Unit.PERCENT, "<= 99.9"));
    }
}
