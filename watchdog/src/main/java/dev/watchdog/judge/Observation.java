package dev.watchdog.judge;

import dev.watchdog.core.Ordered;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What evaluating a rule's queries gave: values, a guard that was not met, partial data, or a failure. */
public sealed interface Observation {

    /**
     * The expression's result (empty means no data) and, for a rule with a baseline, the baseline's
     * result (null without one; empty when the baseline has no data).
     */
    record Values(List<Series> series, @Nullable List<Series> baselines, Map<Severity, Instant> onset) implements Observation {
        public Values {
            series = List.copyOf(series);
            baselines = baselines == null ? null : List.copyOf(baselines);
            onset = Ordered.sorted(onset);
        }

        public Values(List<Series> series, @Nullable List<Series> baselines) {
            this(series, baselines, Map.of());
        }

        public Values(List<Series> series) {
            this(series, null);
        }

        /** The same values, knowing since when the data shows each severity's condition has held. */
        public Values withOnset(Map<Severity, Instant> since) {
            return new Values(series, baselines, since);
        }
    }

    /** The guard returned nothing, or there was less traffic than minTraffic asks: nothing to judge. */
    record GuardNotMet(String why) implements Observation {}

    /** An SLO rule's burn rates, already judged against its windows. */
    record Burn(Severity severity, double value, String detail) implements Observation {}

    /**
     * Prometheus answered with warnings (partial data, as Thanos and Mimir give when a store is
     * missing): nothing to judge, neither a breach nor a recovery. The message holds the warnings.
     */
    record Partial(@Nullable String why) implements Observation {}

    /** A query failed; the message says why, and never counts as a breach. */
    record Failed(@Nullable String message) implements Observation {}
}
