package dev.watchdog.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.RuleState;
import dev.watchdog.machine.Watch;
import dev.watchdog.rules.RuleSet;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RuleSeriesTest {

    static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

    final PrometheusRegistry registry = new PrometheusRegistry();
    final RuleSeries series = new RuleSeries(registry, WatchdogConfig.RuleSeries.NOT_OK, 3);
    final RuleSet rules = new RuleSet(List.of());

    static Watch watch(String id, Outcome... outcomes) {
        Map<String, RuleState> states = new LinkedHashMap<>();
        for (int i = 0; i < outcomes.length; i++) {
            String rule = "rule-" + i;
            states.put(rule, new RuleState(rule, outcomes[i], Severity.NONE, 1.0, null, List.of(), null, null, START, START,
                    null, null, null, START, null, null));
        }
        return new Watch(Release.hypothetical(id, "svc-" + id, "2.0.0", "1.9.0", "production", Map.of(), START), states,
                null, null, null, List.of(), null);
    }

    String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    static long outcomes(String text) {
        return text.lines().filter(l -> l.startsWith("watchdog_rule_outcome{")).count();
    }

    @Test
    @DisplayName("with notOk, at most so many rules have series (Prometheus down for a whole fleet): the rest are counted, "
            + "and get theirs once others are ok again")
    void bounded() throws IOException {
        series.update(watch("a", Outcome.INCONCLUSIVE, Outcome.INCONCLUSIVE), rules);
        series.update(watch("b", Outcome.INCONCLUSIVE, Outcome.INCONCLUSIVE), rules);
        String full = scrape();
        assertEquals(3, outcomes(full), full);
        assertTrue(full.contains("watchdog_rules_without_series 1.0"), full);

        series.update(watch("a", Outcome.OK, Outcome.OK), rules);
        series.update(watch("b", Outcome.INCONCLUSIVE, Outcome.INCONCLUSIVE), rules);
        String room = scrape();
        assertEquals(2, outcomes(room), room);
        assertTrue(room.contains("watchdog_rules_without_series 0.0"), room);

        series.remove("b");
        String gone = scrape();
        assertEquals(0, outcomes(gone), gone);
        series.update(watch("c", Outcome.P1, Outcome.P1, Outcome.P1, Outcome.P1), rules);
        String again = scrape();
        assertEquals(3, outcomes(again), "room made by the release that ended: " + again);
        assertTrue(again.contains("watchdog_rules_without_series 1.0"), again);
    }
}
