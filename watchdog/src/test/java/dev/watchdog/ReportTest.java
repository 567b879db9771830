package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Cli;
import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The incident report through the whole daemon on a moved clock: a release breaches at P1 (alice
 * acknowledges), worsens to P0, is rolled back and recovers; the report tells it with the clock's figures.
 */
class ReportTest extends DaemonTest {

    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}",cluster="{{cluster}}"}
                    unit: ratio
                    baseline: before-release
                    p1: "> 0.01"
                    p0: "> 0.05"
                    for: 1m
                    annotations: {runbook: "https://runbooks.example/error-rate"}
            """;

    /** The error ratio over time: 0.2 % (the baseline), 2.3 % from T+15s, 7.3 % from T+3m15s, 0.2 % from T+4m30s. */
    static String errorRatio(Instant t) {
        return t.isBefore(T0.plusSeconds(15)) ? "0.002" : t.isBefore(T0.plusSeconds(195)) ? "0.023"
                : t.isBefore(T0.plusSeconds(270)) ? "0.073" : "0.002";
    }

    WebhookRecorder slack;
    String id;

    @Override
    protected String rules() {
        return RULES;
    }

    @Override
    protected void prepare() {
        prometheus.answerAt("error_ratio", t -> value(errorRatio(t)));
        slack = new WebhookRecorder(vertx).start();
    }

    @Override
    protected String extraConfig() {
        return """
                receivers:
                  release-manager: {slack: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels:
                      - {after: 0m, notify: [release-manager]}
                    repeat: 10m
                """.formatted(slack.url("/rm"));
    }

    @AfterEach
    void stopSlack() {
        slack.close();
    }

    /**
     * P1 from T+15s, held for 1m: opened at T+1m15s. Alice acknowledges at T+3m. P0 from T+3m15s, held for
     * 1m: rolled back at T+4m15s (the clock stands still until the webhook has answered). Healthy again
     * from T+4m30s, held for 1m: recovered at T+5m30s.
     */
    @BeforeEach
    void incident() {
        id = daemon.register(new JsonObject().put("service", "api").put("version", "1.4.0").put("previousVersion", "1.3.2")
                .put("environment", "production").put("labels", new JsonObject().put("cluster", "eu-1"))
                .put("window", "2h").put("bake", "30m")).getString("id");
        daemon.tick();
        until(Duration.ofMinutes(3));
        HttpResponse<Buffer> ack = daemon.call("POST", "/api/v1/releases/" + id + "/ack", Daemon.ONCALL,
                new JsonObject().put("reason", "looking into it | <b>login</b> path"));
        assertEquals(200, ack.statusCode(), ack.bodyAsString());
        until(Duration.ofMinutes(4).plusSeconds(15));
        Poll.until(Duration.ofSeconds(5), "the rollback", () -> "rolled_back".equals(daemon.release(id).getString("state")));
        until(Duration.ofMinutes(6));
        daemon.settled(id);
        assertEquals("recovered", daemon.release(id).getJsonObject("verification").getString("state"));
    }

    void until(Duration at) {
        while (clock.instant().isBefore(T0.plus(at))) {
            clock.advance(Duration.ofSeconds(15));
            daemon.tick();
        }
    }

    HttpResponse<Buffer> report(String token) {
        return daemon.call("GET", "/api/v1/releases/" + id + "/report", token, null);
    }

    String report() {
        HttpResponse<Buffer> response = report(Daemon.VIEWER);
        assertEquals(200, response.statusCode(), response.bodyAsString());
        assertEquals("text/markdown; charset=utf-8", response.getHeader("Content-Type"));
        return response.bodyAsString();
    }

    static void contains(String report, String... parts) {
        for (String part : parts) {
            assertTrue(report.contains(part), "missing: " + part + "\n--- in ---\n" + report);
        }
    }

    @Test
    @DisplayName("says what was deployed, and the times to detect, acknowledge and roll back as the clock moved")
    void deployedAndTimes() {
        String report = report();
        assertTrue(report.startsWith("# Incident report: api 1.4.0 in production (rolled back)\n"), report);
        contains(report, "| Service | api |", "| Version | 1.4.0 (previous: 1.3.2) |", "| Environment | production |",
                "| Labels | cluster=eu-1 |", "| Release | `" + id + "` |",
                "| Watched | from 2026-11-21T10:00:00Z for 2h; healthy verdict due at 2026-11-21T10:30:00Z |",
                // opened T+1m15s: detected after 1m15s, acknowledged 1m45s later (T+3m), rolled back 3m later (T+4m15s)
                "| `" + id + ".1` | 2026-11-21T10:01:15Z (T+1m15s) | 1m15s | 1m45s (alice) | 3m |");
        String metrics = daemon.metrics();
        contains(metrics, "watchdog_time_to_detect_seconds_sum 75.0", "watchdog_time_to_acknowledge_seconds_sum 105.0",
                "watchdog_time_to_rollback_seconds_sum 180.0");
    }

    @Test
    @DisplayName("gives the breaching rule's query as sent, and its value, threshold and baseline at each change")
    void breachingRule() {
        contains(report(), "### error-rate\n",
                "P1 `> 0.01`, P0 `> 0.05`, for 1m, baseline `before-release`. Runbook: https://runbooks.example/error-rate",
                "```promql\nerror_ratio{service=\"api\",cluster=\"eu-1\"}\n```",
                "| at | outcome | value | threshold | baseline |",
                "| 2026-11-21T10:00:15Z (T+15s) | pending | 0.023 (2.3 %) | `> 0.01` | 0.002 (0.2 %) |",
                "| 2026-11-21T10:01:15Z (T+1m15s) | p1 | 0.023 (2.3 %) | `> 0.01` | 0.002 (0.2 %) |",
                "| 2026-11-21T10:04:15Z (T+4m15s) | p0 | 0.073 (7.3 %) | `> 0.05` | 0.002 (0.2 %) |",
                "| 2026-11-21T10:05:30Z (T+5m30s) | ok | 0.002 (0.2 %) | `> 0.01` | 0.002 (0.2 %) |",
                "Last seen by incident `" + id + ".1`: P0 at 0.073 (7.3 %) against `> 0.05`, baseline 0.002 (0.2 %).");
    }

    @Test
    @DisplayName("says who acknowledged and why, what was rolled back, and that it recovered")
    void decisionsAndRollback() {
        contains(report(), "### Incident `" + id + ".1`: P0, resolved (rolled back)",
                "- Opened 2026-11-21T10:01:15Z (T+1m15s); rules: error-rate",
                "| 2026-11-21T10:03:00Z (T+3m) | alice | acknowledged | looking into it \\| &lt;b>login&lt;/b> path |",
                "- Asked for 2026-11-21T10:04:15Z (T+4m15s) by watchdog: error-rate P0 at 0.073 against `> 0.05`; "
                        + "Idempotency-Key `" + id + ":rollback`",
                "- Done 2026-11-21T10:04:15Z (T+4m15s): the rollback webhook succeeded after 1 attempt(s).",
                "- Recovered 2026-11-21T10:05:30Z (T+5m30s): error-rate healthy again after the rollback.");
    }

    @Test
    @DisplayName("tells the timeline in order, from registration to verification")
    void timeline() {
        String report = report();
        String timeline = report.substring(report.indexOf("## Timeline"));
        String[] order = {"| 2026-11-21T10:00:00Z | T+0s | registered: watching api 1.4.0 in production for 2h |",
            "| T+1m15s | degraded: a P1 breach is open", "| T+1m15s | incident: incident " + id + ".1 opened (level 1)",
            "| T+3m | acknowledged: acknowledged by alice (\"looking into it",
            "| T+4m15s | rollback_requested: rollback requested: error-rate P0 |",
            "| T+4m15s | rollback_succeeded: rollback succeeded after 1 attempt(s) |",
            "| T+5m30s | verification: the rollback restored health: error-rate ok again |"};
        int at = 0;
        for (String entry : order) {
            int next = timeline.indexOf(entry, at);
            assertTrue(next >= at, "missing or out of order: " + entry + "\n" + timeline);
            at = next;
        }
        assertTrue(!timeline.contains("notification_sent"), "deliveries that went through are left out");
    }

    @Test
    @DisplayName("a rollback the team decided on a healthy release: no breach, no incident, the decision and its time")
    void teamRollback() {
        String web = daemon.register(new JsonObject().put("service", "web").put("version", "2.0.0")
                .put("environment", "production").put("labels", new JsonObject().put("cluster", "eu-1"))).getString("id");
        daemon.tick();
        assertEquals(200, daemon.call("POST", "/api/v1/releases/" + web + "/rollback", Daemon.ONCALL,
                new JsonObject().put("reason", "wrong build")).statusCode());
        Poll.until(Duration.ofSeconds(5), "the rollback", () -> "rolled_back".equals(daemon.release(web).getString("state")));
        String report = daemon.call("GET", "/api/v1/releases/" + web + "/report", Daemon.VIEWER, null).bodyAsString();
        contains(report, "# Incident report: web 2.0.0 in production (rolled back)",
                "| (none: the team's call) | - | - | - | 0s |", "## Rules that breached\n\nNo rule breached.",
                "## Incidents\n\nNone.", "- Asked for 2026-11-21T10:06:00Z (T+0s) by alice: the team's decision;",
                "- Recovery: not verified (verification is off, or no rule was breaching when it was done).",
                "rollback_decided: rollback decided by alice (\"wrong build\")");
    }

    @Test
    @DisplayName("needs a viewer token (401 without), and answers 404 for an unknown release")
    void access() {
        assertEquals(401, report(null).statusCode());
        HttpResponse<Buffer> unknown = daemon.call("GET", "/api/v1/releases/rel_unknown/report", Daemon.VIEWER, null);
        assertEquals(404, unknown.statusCode());
        assertEquals("application/json", unknown.getHeader("Content-Type"));
    }

    @Test
    @DisplayName("watchdog release report ID prints the same text and exits 0; 3 when the API cannot be reached")
    void cli() {
        String report = report();
        Cli.Result printed = Cli.run("release", "report", id, "--url", daemon.url(), "--token", Daemon.VIEWER);
        assertEquals(0, printed.code(), printed.out());
        assertEquals(report, printed.out());
        Cli.Result unreachable = Cli.run("release", "report", id, "--url", "http://127.0.0.1:1", "--token", Daemon.VIEWER);
        assertEquals(3, unreachable.code(), unreachable.out());
        assertTrue(unreachable.out().startsWith("watchdog release report: cannot reach the watchdog at http://127.0.0.1:1"),
                unreachable.out());
        Cli.Result refused = Cli.run("release", "report", "rel_unknown", "--url", daemon.url(), "--token", Daemon.VIEWER);
        assertEquals(3, refused.code(), refused.out());
        assertTrue(refused.out().contains("HTTP 404"), refused.out());
    }

    @Test
    @DisplayName("what a deployer and on-call wrote is data: no mention, issue reference, link, image or HTML reaches the report")
    void userTextIsInert() {
        String hostile = daemon.register(new JsonObject().put("service", "web").put("version", "[v2](https://evil.example/x)")
                .put("previousVersion", "![logo](https://evil.example/p.png)").put("environment", "www.evil.example")
                .put("labels", new JsonObject().put("cluster", "@acme/sre"))).getString("id");
        daemon.tick();
        String reason = "ping @acme/oncall, see #12 and [the log](https://evil.example/log) ![x](http://evil.example/i.png)"
                + " <img src=x onerror=alert(1)> &#64;team www.evil.example";
        assertEquals(200, daemon.call("POST", "/api/v1/releases/" + hostile + "/rollback", Daemon.ONCALL,
                new JsonObject().put("reason", reason)).statusCode());
        Poll.until(Duration.ofSeconds(5), "the rollback", () -> "rolled_back".equals(daemon.release(hostile).getString("state")));
        String report = daemon.call("GET", "/api/v1/releases/" + hostile + "/report", Daemon.VIEWER, null).bodyAsString();
        // As GitHub reads Markdown: a mention is @ then a letter or digit, a reference # then a digit, a link or image
        // needs an unescaped [, a bare link http:// or www., HTML a < or an entity.
        for (String pattern : List.of("(?<![\\w`])@[A-Za-z0-9]", "(?<![\\w&])#[0-9]", "(?<!\\\\)\\[", "://evil",
                "(?i)(?<![a-z0-9])www\\.evil", "<img", "(?<!&amp;)&#64;")) {
            assertFalse(Pattern.compile(pattern).matcher(report).find(), pattern + " in:\n" + report);
        }
        contains(report, "| Version | \\[v2\\](https:\u200B//evil.example/x) (previous: !\\[logo\\]",
                "| Labels | cluster=@\u200Bacme/sre |", "ping @\u200Bacme/oncall, see #\u200B12 and \\[the log\\]",
                "&lt;img src=x onerror=alert(1)> &amp;#\u200B64;team www\u200B.evil.example");
    }
}
