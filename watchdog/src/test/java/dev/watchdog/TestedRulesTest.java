package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakePrometheus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A rule with a test through the whole daemon: a canary fails twice as often as the previous version
 * beside it; the API, the timeline and the incident report say so with the evidence behind it.
 */
class TestedRulesTest extends DaemonTest {

    static final String RULES = """
            groups:
              - name: canary
                rules:
                  - name: canary-error-rate
                    signal: errors
                    expr: sum by (version) (increase(errors_total{service="{{service}}"}[{{since_release}}]))
                    total: sum by (version) (increase(requests_total{service="{{service}}"}[{{since_release}}]))
                    unit: ratio
                    baseline: previous-version
                    p1: "> +50%"
                    significance: 0.01
                    minSample: 1000
            """;

    @Override
    protected String rules() {
        return RULES;
    }

    /** Per minute: the canary 1000 requests and 20 errors, the previous version 9000 and 90; counted since T0. */
    static FakePrometheus.Answer counts(boolean errors, Instant t) {
        double minutes = Math.max(0, Duration.between(T0, t).toSeconds() / 60.0);
        JsonArray result = new JsonArray().add(series("1.9.0", (errors ? 90 : 9000) * minutes, t));
        if (minutes > 0) {
            result.add(series("2.0.0", (errors ? 20 : 1000) * minutes, t));
        }
        return ok(new JsonObject().put("resultType", "vector").put("result", result));
    }

    static JsonObject series(String version, double value, Instant t) {
        return new JsonObject().put("metric", new JsonObject().put("version", version))
                .put("value", new JsonArray().add(t.getEpochSecond()).add(Double.toString(value)));
    }

    @Override
    protected void prepare() {
        prometheus.answerAt("errors_total", t -> counts(true, t));
        prometheus.answerAt("requests_total", t -> counts(false, t));
    }

    @Test
    @DisplayName("twice the previous version's errors: P1, the API shows the effect, interval, counts and traffic share")
    void canary() {
        String id = daemon.register(new JsonObject().put("service", "api").put("version", "2.0.0")
                .put("previousVersion", "1.9.0").put("environment", "production")).getString("id");
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(15));
            daemon.tick();
        }
        JsonObject rule = rule(daemon.release(id), "canary-error-rate");
        assertEquals("p1", rule.getString("outcome"), rule.encodePrettily());
        JsonObject evidence = rule.getJsonObject("evidence");
        assertEquals("ratio", evidence.getString("quantity"));
        assertEquals(1.0, evidence.getDouble("effect"), 1e-9);
        assertEquals(0.1, evidence.getDouble("share"), 1e-9);
        assertEquals("the previous version (1.9.0)", evidence.getString("against"));
        assertTrue(evidence.getDouble("lower") > 0.125, evidence.encode());
        assertTrue(evidence.getString("text").startsWith("ratio +100 % [+"), evidence.getString("text"));
        assertTrue(evidence.getString("text").endsWith("against the previous version (1.9.0); 100 of 5000 and 450 of 45000 "
                + "requests; the new version has 10 % of the traffic"), evidence.getString("text"));
        JsonObject p1 = daemon.events(id).stream().map(JsonObject.class::cast)
                .filter(e -> "outcome".equals(e.getString("type")) && e.getString("message").startsWith("canary-error-rate is p1"))
                .findFirst().orElseThrow();
        assertTrue(p1.getString("message").contains(": ratio +100 % ["), p1.getString("message"));
        assertTrue(p1.getJsonObject("data").getString("evidence").startsWith("ratio +100 %"), p1.encode());
        String report = daemon.call("GET", "/api/v1/releases/" + id + "/report", dev.watchdog.testing.Daemon.VIEWER, null)
                .bodyAsString();
        assertTrue(report.contains("| at | outcome | value | threshold | baseline | evidence |"), report);
        assertTrue(report.contains("against the previous version (1.9.0)"), report);
    }
}
