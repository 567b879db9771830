package dev.watchdog.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WatchdogMetricsTest {

    @Test
    @DisplayName("a fresh daemon exports its outcome counters at 0, so that increase() counts the first failure")
    void countersStartAtZero() {
        String text = new WatchdogMetrics().scrape();
        for (String line : new String[] {
                "watchdog_rollbacks_total{outcome=\"failed\"} 0.0",
                "watchdog_rollbacks_total{outcome=\"succeeded\"} 0.0",
                "watchdog_prometheus_queries_total{outcome=\"timeout\"} 0.0",
                "watchdog_prometheus_queries_total{outcome=\"network\"} 0.0",
                "watchdog_releases_ended_total{state=\"rolled_back\"} 0.0",
                "watchdog_releases_ended_total{state=\"rollback_failed\"} 0.0"}) {
            assertTrue(text.contains(line), line + " in:\n" + text);
        }
    }
}
