package dev.watchdog.rules;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * When a rule breaches: its thresholds, how long a breach must hold ({@code for}), from when it is
 * judged ({@code after}), what no data counts as, and, for a relative rule over counts, the test that
 * must also find the change real ({@code significance}, {@code minSample}); for a ratio with absolute
 * thresholds, the level of the confidence bound that must be past them.
 */
public record Judgement(
        Optional<Threshold> p1,
        Optional<Threshold> p0,
        Duration forDuration,
        Duration after,
        NoData noData,
        Optional<Test> test) {

    /** What an evaluation that returns no data counts as. */
    public enum NoData { OK, INCONCLUSIVE, BREACH }

    /**
     * The statistical test of a relative rule: anytime-valid at level {@code significance} over the whole
     * watch; each side needs at least {@code minSample} (requests, observations or counts) to be judged.
     */
    public record Test(double significance, double minSample) {}

    /** The direction in which values get worse: +1 higher, -1 lower, 0 neither. */
    public int direction() {
        return p0.or(() -> p1).map(Threshold::direction).orElse(0);
    }

    /** Whether any threshold is relative to the baseline. */
    public boolean relative() {
        return Stream.of(p1, p0).flatMap(Optional::stream).anyMatch(Threshold::relative);
    }
}
