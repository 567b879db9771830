package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.core.Units;
import dev.watchdog.rules.Judgement;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Threshold;
import dev.watchdog.stats.Mixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A ratio with a test and absolute thresholds ({@code p1: "> 0.001"}, {@code significance: 0.01}):
 * each group breaches when the confidence bound of its ratio on the bad side, not its estimate, is
 * past the line: the lower bound for {@code >}, the upper for {@code <}. The bound is the binomial
 * confidence sequence of {@link Mixture} at the rule's significance, on counts divided by their
 * dispersion. An estimate past the line whose bound is not reads inconclusive: chance explains it.
 * Pure.
 */
final class Bounded {

    private static final Mixture MIXTURE = Mixture.DEFAULT;

    private Bounded() {}

    static List<Reading> readings(Rule rule, Sample now, double dispersion) {
        Judgement.Test test = rule.judgement().test().orElseThrow();
        List<Reading> out = new ArrayList<>();
        Sides.of(rule, now, Plain.aside(rule)).forEach((key, side) -> {
            Series series = new Series(key, side.value());
            if (!(side instanceof Side.Ratio r) || !(r.total() > 0)) {
                out.add(Reading.unsure(series, null, "no data to judge (no total)", null));
            } else if (r.total() < test.minSample()) {
                out.add(Reading.unsure(series, null, "too little to judge: " + Units.number(r.total()) + " (at least "
                        + Units.number(test.minSample()) + ")", null));
            } else {
                out.add(read(rule, series, r, test.significance(), dispersion));
            }
        });
        return out;
    }

    private static Reading read(Rule rule, Series series, Side.Ratio r, double alpha, double dispersion) {
        double k = Math.min(r.events(), r.total()) / dispersion;
        double n = r.total() / dispersion;
        Judgement j = rule.judgement();
        for (Severity severity : List.of(Severity.P0, Severity.P1)) {
            Optional<Threshold> t = severity == Severity.P0 ? j.p0() : j.p1();
            if (t.isPresent() && t.get().breachedBy(bound(k, n, alpha, t.get().direction()))) {
                return new Reading(series, null, severity, null, null);
            }
        }
        Severity onEstimate = Judge.severity(rule, series.value(), null);
        if (onEstimate == null || onEstimate == Severity.NONE) {
            return new Reading(series, null, Severity.NONE, null, null);
        }
        boolean upward = j.direction() >= 0;
        return Reading.unsure(series, null, "a ratio of " + Units.number(series.value()) + " is within chance of "
                + Judge.thresholdOf(rule, onEstimate) + " at significance " + Units.number(alpha) + " (its "
                + (upward ? "lower" : "upper") + " bound is " + Units.number(bound(k, n, alpha, j.direction())) + ")", null);
    }

    /** The bound on the bad side of a threshold of {@code direction}: lower for higher-is-worse. */
    static double bound(double k, double n, double alpha, int direction) {
        return direction >= 0 ? MIXTURE.lowerBound(k, n, alpha) : MIXTURE.upperBound(k, n, alpha);
    }
}
