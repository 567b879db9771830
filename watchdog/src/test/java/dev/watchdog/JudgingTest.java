package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.DaemonTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Baselines and dry run through the whole daemon: what the API, metrics and the deployer see. */
class JudgingTest extends DaemonTest {

    static final String RULES = """
            groups:
              - name: sre
                rules:
                  - name: latency-vs-baseline
                    signal: latency
                    expr: latency_p95{service="{{service}}"}
                    unit: seconds
                    baseline: before-release
                    p1: "> +10%"
                  - name: experimental-p0
                    signal: errors
                    expr: new_errors{service="{{service}}"}
                    p0: "> 0.05"
                    dryRun: true
            """;

    @Override
    protected String rules() {
        return RULES;
    }

    @Override
    protected void prepare() {
        prometheus.answer("new_errors", value("0.2"));
    }

    @Test
    @DisplayName("a before-release baseline is taken at the start, kept, and shown beside the value in the API and metrics")
    void baseline() {
        // At the release's start p95 was 200 ms; from T+1m it is 260 ms (+30 %).
        prometheus.answerAt("latency_p95", t -> value(t.isAfter(T0) ? "0.26" : "0.2"));
        String id = daemon.register(new JsonObject().put("service", "api").put("version", "1.4.0")
                .put("environment", "production")).getString("id");
        daemon.tick();
        clock.advance(Duration.ofMinutes(1));
        daemon.tick();
        JsonObject rule = rule(daemon.release(id), "latency-vs-baseline");
        assertEquals("p1", rule.getString("outcome"));
        assertEquals(0.26, rule.getDouble("value"));
        assertEquals(0.2, rule.getDouble("baseline"));
        assertEquals("before-release", rule.getString("baselineOf"));
        assertTrue(daemon.metrics().contains("watchdog_rule_baseline{environment=\"production\",release=\"" + id
                + "\",rule=\"latency-vs-baseline\",service=\"api\"} 0.2"));
        long baselineQueries = prometheus.queries.stream().filter(q -> q.contains("latency_p95")).count();
        clock.advance(Duration.ofMinutes(1));
        daemon.tick();
        assertEquals(baselineQueries + 1, prometheus.queries.stream().filter(q -> q.contains("latency_p95")).count(),
                "the baseline is kept, not asked again");
        assertEquals("degraded", daemon.release(id).getString("state"));
    }

    @Test
    @DisplayName("a dry-run rule is judged and shown, but never rolls back nor opens an incident")
    void dryRun() {
        prometheus.answer("latency_p95", value("0.2"));
        String id = daemon.register(new JsonObject().put("service", "api").put("version", "1.4.0")
                .put("environment", "production")).getString("id");
        daemon.tick();
        clock.advance(Duration.ofMinutes(1));
        daemon.tick();
        JsonObject release = daemon.release(id);
        JsonObject rule = rule(release, "experimental-p0");
        assertEquals("p0", rule.getString("outcome"));
        assertEquals(true, rule.getBoolean("dryRun"));
        assertEquals("watching", release.getString("state"));
        assertTrue(release.getValue("incident") == null, release.encode());
        assertEquals(0, deployer.calls.size());
        assertTrue(daemon.events(id).stream().map(e -> ((JsonObject) e).getString("message"))
                .anyMatch(m -> m.startsWith("experimental-p0 is p0") && m.endsWith("[dry run]")));
    }
}
