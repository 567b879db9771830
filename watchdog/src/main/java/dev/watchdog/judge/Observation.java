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
     * What the rule's queries gave. {@code now}: the expression (and total) at the evaluation; empty
     * means no data. {@code references}: each baseline alternative's samples by the alternative's text
     * ({@code "offset 1d, 7d, 14d"}: one sample per offset, in order; {@code "before-release 1h"}: one),
     * empty without a baseline; a sample with no series has no data. {@code split}: how the versions'
     * series are told apart, for a previous-version baseline (null otherwise). {@code minutes}: the
     * expression minute by minute, asked once, in spans: the two hours before the release, then each
     * offset's same two hours and the hour after the release's time on its day ({@link dev.watchdog.rules.Baseline#offsets}), from
     * which the judge learns how much the counts vary beyond chance and each reference day's level
     * against today's (null when not asked). {@code onset}: since when the data shows each
     * severity's condition has held, where it was looked up.
     */
    record Values(Sample now, Map<String, List<Sample>> references, @Nullable Split split,
                  @Nullable List<List<Sample>> minutes, Map<Severity, Instant> onset) implements Observation {
        public Values {
            references = Ordered.kept(references);
            minutes = minutes == null ? null : minutes.stream().map(List::copyOf).toList();
            onset = Ordered.sorted(onset);
        }

        public Values(List<Series> series) {
            this(Sample.of(series), Map.of(), null, null, Map.of());
        }

        /** The expression's series with one baseline alternative's single sample, as a plain rule has it. */
        public static Values against(List<Series> series, String baseline, List<Series> reference) {
            return new Values(Sample.of(series), Map.of(baseline, List.of(Sample.of(reference))), null, null, Map.of());
        }

        /** The expression's series at the evaluation. */
        public List<Series> series() {
            return now.series();
        }

        /** The same values, knowing since when the data shows each severity's condition has held. */
        public Values withOnset(Map<Severity, Instant> since) {
            return new Values(now, references, split, minutes, since);
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
