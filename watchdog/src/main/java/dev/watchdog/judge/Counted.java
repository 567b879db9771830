package dev.watchdog.judge;

import dev.watchdog.core.Severity;
import dev.watchdog.core.Units;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Threshold;
import dev.watchdog.stats.Significance;
import dev.watchdog.stats.Significance.Alternative;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A relative rule over counts with {@code significance}: its relative thresholds count only when
 * the counts (after, against the baseline's, over the same window) reject "no change" at that level,
 * by the conditional binomial test, one-sided in the direction the thresholds look. Too few counts
 * for any outcome to reject, or a change that chance explains, is not told: inconclusive, never a
 * breach and never a recovery. Absolute thresholds of the same rule count as always. Pure.
 */
final class Counted {

    private Counted() {}

    /** The severity a series reads at, or null with why it cannot be told. */
    record Reading(@Nullable Severity severity, @Nullable String why) {}

    static Reading read(Rule rule, double value, @Nullable Double baseline) {
        Severity full = Judge.severity(rule, value, baseline);
        if (rule.significance().isEmpty() || baseline == null || !(baseline > 0)) {
            return new Reading(full, "no baseline to compare with (no data, or zero)");
        }
        double level = rule.significance().get();
        Alternative alternative = alternative(rule);
        long after = Math.round(Math.max(0, value));
        long before = Math.round(baseline);
        long fewest = Significance.fewest(level, alternative);
        Severity absolute = Judge.severity(rule, value, null);
        if (after + before < fewest) {
            return new Reading(absolute, "too few counts to test: " + after + " against " + before
                    + " (no change can be told from chance below " + fewest + " in all)");
        }
        double p = Significance.poisson(after, before, 1, 1, alternative);
        if (full == null || full == Severity.NONE || p < level) {
            return new Reading(full, null);
        }
        return new Reading(absolute, "a change of " + change(after, before) + " is within chance at significance "
                + Units.number(level) + " (p = " + Units.number(p) + ", " + after + " against " + before + ")");
    }

    /** Fewer, more, or either, as the relative thresholds look. */
    static Alternative alternative(Rule rule) {
        int[] directions = Stream.of(rule.p1(), rule.p0()).flatMap(Optional::stream).filter(Threshold::relative)
                .mapToInt(Threshold::direction).distinct().toArray();
        if (directions.length != 1 || directions[0] == 0) {
            return Alternative.TWO_SIDED;
        }
        return directions[0] < 0 ? Alternative.LESS : Alternative.GREATER;
    }

    private static String change(long after, long before) {
        double percent = (after - (double) before) / before * 100;
        return (percent > 0 ? "+" : "") + Units.number(percent) + " %";
    }
}
