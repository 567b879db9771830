package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Incidents and escalation through the whole daemon, with fake Slack receivers for each rung of the release criteria's ladder. */
class IncidentsTest extends DaemonTest {

    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                    for: 1m
                    annotations: {runbook: "https://runbooks.example/error-rate"}
                  - name: latency-p95
                    signal: latency
                    expr: latency_p95{service="{{service}}"}
                    unit: seconds
                    p1: "> 1"
                    p0: "> 2"
            """;

    WebhookRecorder slack;

    @Override
    protected String rules() {
        return RULES;
    }

    @Override
    protected void prepare() {
        prometheus.answer("error_ratio", value("0.001"));
        prometheus.answer("latency_p95", value("0.2"));
        slack = new WebhookRecorder(vertx).start();
    }

    @Override
    protected String extraConfig() {
        return """
                receivers:
                  release-manager: {slack: {url: "%s"}, minInterval: 0s}
                  devops: {slack: {url: "%s"}, minInterval: 0s}
                  cto: {slack: {url: "%s"}, minInterval: 0s}
                  ceo: {slack: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels:
                      - {after: 0m, notify: [release-manager, devops]}
                      - {after: 15m, notify: [cto]}
                      - {after: 30m, notify: [ceo]}
                    repeat: 10m
                    checkpoints: [5m, 15m]
                """.formatted(slack.url("/rm"), slack.url("/devops"), slack.url("/cto"), slack.url("/ceo"));
    }

    @AfterEach
    void stopSlack() {
        slack.close();
    }

    String register() {
        return daemon.register(new JsonObject().put("service", "api").put("version", "1.4.0")
                .put("environment", "production").put("window", "2h").put("bake", "30m")).getString("id");
    }

    /** Ticks every 15 s until {@code at} after T0, and waits for the notifications to settle. */
    void until(Duration at, String id) {
        while (clock.instant().isBefore(T0.plus(at))) {
            clock.advance(Duration.ofSeconds(15));
            daemon.tick();
        }
        daemon.settled(id);
    }

    List<String> titles(String path) {
        return slack.calls(path).stream().map(c -> new JsonObject(c.body()).getString("text")).toList();
    }

    static String body(WebhookRecorder.Call call) {
        return new JsonObject(call.body()).encode();
    }

    HttpResponse<Buffer> decide(String id, String what, String token, String reason) {
        return daemon.call("POST", "/api/v1/releases/" + id + "/" + what, token,
                reason == null ? null : new JsonObject().put("reason", reason));
    }

    @Nested
    @DisplayName("a P1")
    class P1 {
        @Test
        @DisplayName("pages level 1 at once with value, threshold, runbook and how to acknowledge; level 2 at T+15m")
        void ladder() {
            String id = register();
            daemon.tick();
            prometheus.answer("error_ratio", value("0.023"));
            until(Duration.ofSeconds(75), id);
            assertEquals(List.of("[P1] Breach in api 1.4.0 (production): error-rate 2.3 %"),
                    titles("/devops").stream().filter(t -> t.startsWith("[P1]")).toList());
            String page = slack.calls("/devops").stream().map(IncidentsTest::body).filter(b -> b.contains("[P1]"))
                    .findFirst().orElseThrow();
            assertTrue(page.contains("error-rate: 2.3 % (P1 &gt; 1 %)"), page);
            assertTrue(page.contains("level 1 of 3"), page);
            assertTrue(page.contains("watchdog release ack " + id), page);
            assertTrue(page.contains("/api/v1/releases/" + id + "/ack"), page);
            assertTrue(page.contains("Runbook: https://runbooks.example/error-rate"), page);
            assertEquals("degraded", daemon.release(id).getString("state"));
            assertEquals(0, slack.calls("/cto").size());

            until(Duration.ofMinutes(16).plusSeconds(15), id);
            assertEquals(1, slack.calls("/cto").size(), titles("/cto").toString());
            assertTrue(titles("/cto").get(0).startsWith("[P1] Escalated (level 2): api 1.4.0"), titles("/cto").toString());
            JsonObject incident = daemon.release(id).getJsonObject("incident");
            assertEquals(2, incident.getInteger("level"));
            assertEquals("open", incident.getString("status"));
            assertTrue(daemon.metrics().contains("watchdog_escalation_level{incident=\"" + id + ".1\",release=\"" + id
                    + "\",severity=\"P1\",status=\"open\"} 2.0"));
        }

        @Test
        @DisplayName("ack stops the ladder and the repeats at once; who acknowledged and why is recorded and told")
        void ack() {
            String id = register();
            prometheus.answer("error_ratio", value("0.02"));
            until(Duration.ofMinutes(16).plusSeconds(15), id);
            HttpResponse<Buffer> acked = decide(id, "ack", Daemon.ONCALL, "looking into it");
            assertEquals(200, acked.statusCode(), acked.bodyAsString());
            JsonObject incident = acked.bodyAsJsonObject().getJsonObject("incident");
            assertEquals("acknowledged", incident.getString("status"));
            assertEquals("alice", incident.getJsonObject("acknowledged").getString("who"));
            daemon.settled(id);
            int cto = slack.calls("/cto").size();
            int devops = slack.calls("/devops").size();
            assertTrue(titles("/cto").get(cto - 1).startsWith("[P1] Acknowledged:"), titles("/cto").toString());
            assertTrue(body(slack.calls("/cto").get(cto - 1)).contains("By alice: looking into it"));

            until(Duration.ofMinutes(90), id);
            assertEquals(cto, slack.calls("/cto").size(), "nothing more after the ack");
            assertEquals(devops, slack.calls("/devops").size());
            assertEquals(0, slack.calls("/ceo").size());
            assertEquals("degraded", daemon.release(id).getString("state"));
        }

        @Test
        @DisplayName("accept keeps the release quiet; a P0 later still rolls back and pages")
        void accept() {
            String id = register();
            prometheus.answer("error_ratio", value("0.02"));
            until(Duration.ofMinutes(2), id);
            JsonObject kept = decide(id, "accept", Daemon.ONCALL, "known, fixed in 1.4.1").bodyAsJsonObject();
            assertEquals("watching", kept.getString("state"));
            assertEquals("accepted", kept.getJsonObject("incident").getString("status"));
            daemon.settled(id);
            int before = slack.calls.size();
            until(Duration.ofMinutes(40), id);
            assertEquals(0, slack.calls.subList(before, slack.calls.size()).stream()
                    .filter(c -> new JsonObject(c.body()).getString("text").startsWith("[P1]")).count(),
                    "no page after accept");
            prometheus.answer("latency_p95", value("3"));
            until(Duration.ofMinutes(41), id);
            deployer.arrived(1, Duration.ofSeconds(5)).await();
            assertTrue(titles("/rm").stream().anyMatch(t -> t.startsWith("[P0] Now P0, rolling back:")), titles("/rm").toString());
        }

        @Test
        @DisplayName("the team decides to roll back: the webhook names who, and everyone paged hears it is done")
        void rollbackDecision() {
            String id = register();
            prometheus.answer("error_ratio", value("0.02"));
            until(Duration.ofMinutes(2), id);
            assertEquals(200, decide(id, "rollback", Daemon.ONCALL, "users cannot log in").statusCode());
            Poll.until(Duration.ofSeconds(5), "rolled back",
                    () -> "rolled_back".equals(daemon.release(id).getString("state")));
            JsonObject webhook = new JsonObject(deployer.calls.get(0).body());
            assertEquals("alice", webhook.getString("triggeredBy"));
            assertEquals("error-rate", webhook.getJsonObject("reason").getString("rule"));
            assertEquals("P1", webhook.getJsonObject("reason").getString("severity"));
            daemon.settled(id);
            List<String> rm = titles("/rm");
            assertTrue(rm.stream().anyMatch(t -> t.startsWith("[P1] Rollback decided:")), rm.toString());
            assertTrue(rm.stream().anyMatch(t -> t.startsWith("[P1] Rolled back:")), rm.toString());
            assertEquals("resolved", daemon.release(id).getJsonObject("incident").getString("status"));
        }

        @Test
        @DisplayName("decisions need an open incident (409) and the oncall role (403)")
        void conflicts() {
            String id = register();
            daemon.tick();
            HttpResponse<Buffer> none = decide(id, "ack", Daemon.ONCALL, null);
            assertEquals(409, none.statusCode());
            assertEquals("there is no open incident to acknowledge", none.bodyAsJsonObject().getString("error"));
            assertEquals(403, decide(id, "ack", Daemon.DEPLOYER, null).statusCode());
            prometheus.answer("error_ratio", value("0.02"));
            until(Duration.ofMinutes(2), id);
            assertEquals(200, decide(id, "ack", Daemon.ONCALL, null).statusCode());
            assertEquals("cannot acknowledge: the incident is acknowledged",
                    decide(id, "ack", Daemon.ONCALL, null).bodyAsJsonObject().getString("error"));
        }

        @Test
        @DisplayName("resolves when every rule has recovered, and tells those paged")
        void resolves() {
            String id = register();
            prometheus.answer("error_ratio", value("0.02"));
            until(Duration.ofMinutes(2), id);
            prometheus.answer("error_ratio", value("0.001"));
            until(Duration.ofMinutes(4), id);
            assertEquals("watching", daemon.release(id).getString("state"));
            assertEquals("recovered", daemon.release(id).getJsonObject("incident").getString("resolution"));
            assertTrue(titles("/devops").stream().anyMatch(t -> t.startsWith("[P1] Resolved:")), titles("/devops").toString());
        }
    }

    @Test
    @DisplayName("a P0 is an incident too: level 1 hears 'rolling back' at once, then 'rolled back'")
    void p0() {
        String id = register();
        prometheus.answer("latency_p95", value("2.5"));
        until(Duration.ofSeconds(15), id);
        Poll.until(Duration.ofSeconds(5), "rolled back", () -> "rolled_back".equals(daemon.release(id).getString("state")));
        daemon.settled(id);
        List<String> devops = titles("/devops");
        assertTrue(devops.contains("[P0] Rolling back api 1.4.0 (production): latency-p95 2.5 s"), devops.toString());
        assertTrue(devops.stream().anyMatch(t -> t.startsWith("[P0] Rolled back:")), devops.toString());
    }

    @Test
    @DisplayName("after a restart with an incident open and unacknowledged, the next level fires once, on time")
    void restartResumesEscalation() throws Exception {
        String id = register();
        until(Duration.ofSeconds(15), id);
        prometheus.answer("error_ratio", value("0.02"));
        until(Duration.ofMinutes(2), id);
        assertEquals(1, slack.calls("/devops").stream().filter(c -> c.body().contains("Breach in")).count(),
                titles("/devops").toString());
        Instant opened = Instant.parse(daemon.release(id).getJsonObject("incident").getString("openedAt"));
        assertEquals(T0.plusSeconds(75), opened, "P1 held for 'for' (1m) from T+15s");
        daemon.stop();
        clock.set(T0.plus(Duration.ofMinutes(16)));
        daemon = newDaemon();
        daemon.tick();
        daemon.settled(id);
        assertEquals(0, slack.calls("/cto").size(), "not before 15 min after it opened (T+16m15s)");
        until(Duration.ofMinutes(16).plusSeconds(15), id);
        assertEquals(1, slack.calls("/cto").size(), "level 2 at T+16m15s");
        until(Duration.ofMinutes(20), id);
        assertEquals(1, slack.calls("/cto").size(), "once");
        assertEquals(1, slack.calls("/devops").stream().filter(c -> c.body().contains("Breach in")).count(),
                "level 1 is not paged again");
    }

    @Test
    @DisplayName("lifecycle: watching at once, a summary at each checkpoint, all clear when the bake passes")
    void lifecycle() {
        String id = register();
        until(Duration.ofMinutes(31), id);
        List<String> rm = titles("/rm");
        assertEquals("Watching api 1.4.0 (production) for 2h, healthy verdict at 2026-11-21T10:30:00Z", rm.get(0));
        assertEquals("T+5m api 1.4.0 (production): watching", rm.get(1));
        String summary = body(slack.calls("/rm").get(1));
        assertTrue(summary.contains("- error-rate: ok 0.1 %") && summary.contains("- latency-p95: ok 200 ms"), summary);
        assertEquals("T+15m api 1.4.0 (production): watching", rm.get(2));
        assertEquals("All clear: api 1.4.0 (production) at T+30m: healthy", rm.get(3));
        assertEquals(4, rm.size());
        assertEquals(0, slack.calls("/cto").size(), "lifecycle messages go to announce (default: level 1)");
    }

    @Test
    @DisplayName("a blind watch tells level 1 it cannot see, never rolls back, and says when it sees again")
    void blind() {
        String id = register();
        daemon.tick();
        prometheus.answer("error_ratio", FakePrometheus.error(503, "unavailable", "prometheus is down"));
        prometheus.answer("latency_p95", FakePrometheus.error(503, "unavailable", "prometheus is down"));
        until(Duration.ofMinutes(4), id);
        assertTrue(titles("/devops").stream().noneMatch(t -> t.startsWith("Cannot see")), "not before blindAfter (5m)");
        until(Duration.ofMinutes(6), id);
        List<String> devops = titles("/devops");
        assertTrue(devops.contains("Cannot see api 1.4.0 (production): queries keep failing (no rollback for this)"),
                devops.toString());
        assertTrue(body(slack.calls("/devops").get(devops.size() - 1)).contains("prometheus is down"));
        prometheus.answer("error_ratio", value("0.001"));
        prometheus.answer("latency_p95", value("0.2"));
        until(Duration.ofMinutes(7), id);
        assertTrue(titles("/devops").contains("Seeing api 1.4.0 (production) again: queries answer"), titles("/devops").toString());
        assertEquals(0, deployer.calls.size());
        assertEquals(1, titles("/devops").stream().filter(t -> t.startsWith("Cannot see")).count());
    }
}
