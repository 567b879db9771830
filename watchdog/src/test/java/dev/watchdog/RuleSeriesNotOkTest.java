package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.DaemonTest;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code metrics: {ruleSeries: notOk}}: a fleet's /metrics holds series only for the rules that are not ok. */
class RuleSeriesNotOkTest extends DaemonTest {

    @Override
    protected String rules() {
        return WatchdogTest.RULES;
    }

    @Override
    protected String extraConfig() {
        return "metrics: {ruleSeries: notOk}\n";
    }

    @Override
    protected void prepare() {
        prometheus.answer("error_ratio", value("0.001"));
        prometheus.answer("latency_p95", value("0.2"));
    }

    @Test
    @DisplayName("a rule's series appear while it is not ok and disappear when it is ok again; ok rules have none")
    void onlyWhileNotOk() {
        String id = daemon.register(WatchdogTest.registration("1.4.0")).getString("id");
        daemon.tick();
        String healthy = daemon.metrics();
        assertFalse(healthy.contains("watchdog_rule_"), "no rule is off: " + healthy);
        assertTrue(healthy.contains("watchdog_releases{state=\"watching\"} 1.0"), healthy);

        prometheus.answer("error_ratio", value("0.02"));
        clock.advance(Duration.ofSeconds(15));
        daemon.tick();
        String pending = daemon.metrics();
        assertTrue(pending.contains("watchdog_rule_outcome{environment=\"production\",outcome=\"pending\",release=\""
                + id + "\",rule=\"error-rate\",service=\"api\"} 1.0"), pending);
        assertTrue(pending.contains("watchdog_rule_value{environment=\"production\",release=\"" + id
                + "\",rule=\"error-rate\",service=\"api\"} 0.02"), pending);
        assertTrue(pending.contains("watchdog_rule_threshold{environment=\"production\",release=\"" + id
                + "\",rule=\"error-rate\",service=\"api\",severity=\"p0\"} 0.05"), pending);
        assertFalse(pending.contains("rule=\"latency-p95\""), "latency is ok: " + pending);

        prometheus.answer("error_ratio", value("0.001"));
        clock.advance(Duration.ofSeconds(15));
        daemon.tick();
        String recovered = daemon.metrics();
        assertFalse(recovered.contains("watchdog_rule_"), "ok again: " + recovered);
    }
}
