package dev.watchdog.evaluation;

import dev.watchdog.evaluation.Observation.Failed;
import dev.watchdog.evaluation.Observation.GuardNotMet;
import dev.watchdog.evaluation.Observation.Values;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Threshold;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Decides a rule's outcome from what was observed and what came before. Pure: no I/O, no clock of
 * its own; time comes in as {@code now}.
 *
 * <p>A breach must be observed without a break for {@code for} before it counts, and health must be
 * observed as long before a counted breach is let go. An evaluation that observes nothing (an error,
 * no data judged inconclusive, a guard not met) breaks both clocks and keeps the level: it can
 * neither raise nor clear a breach.
 */
public final class Judge {

    private static final int MAX_REPORTED_SERIES = 20;

    private Judge() {}

    public static RuleState judge(Rule rule, RuleState prev, Observation seen, Instant now, Instant releaseStart) {
        if (now.isBefore(releaseStart.plus(rule.after()))) {
            return unobserved(prev, Outcome.WAITING, "judged from T+" + rule.after().toSeconds() + "s", now);
        }
        if (seen instanceof Failed f) {
            return unobserved(prev, Outcome.ERROR, f.message(), now);
        }
        if (seen instanceof GuardNotMet) {
            return unobserved(prev, Outcome.INCONCLUSIVE, "guard not met", now);
        }
        return values(rule, prev, finite(((Values) seen).series()), now);
    }

    private static RuleState values(Rule rule, RuleState prev, List<Series> series, Instant now) {
        if (!series.isEmpty()) {
            Series worst = worst(rule, series);
            return observed(rule, prev, severity(rule, worst.value()), worst.value(), series, null, now);
        }
        return switch (rule.noData()) {
            case OK -> observed(rule, prev, Severity.NONE, null, series, "no data (counted as ok)", now);
            case BREACH -> observed(rule, prev, rule.p0().isPresent() ? Severity.P0 : Severity.P1, null, series,
                    "no data (counted as a breach)", now);
            case INCONCLUSIVE -> unobserved(prev, Outcome.INCONCLUSIVE, "no data", now);
        };
    }

    private static RuleState observed(Rule rule, RuleState prev, Severity seen, Double value,
                                      List<Series> series, String message, Instant now) {
        Duration hold = rule.forDuration();
        Instant p0Since = seen == Severity.P0 ? orNow(prev.p0Since(), now) : null;
        Instant p1Since = seen != Severity.NONE ? orNow(prev.p1Since(), now) : null;
        Instant healthySince = seen.compareTo(prev.level()) < 0 ? orNow(prev.healthySince(), now) : null;
        Severity level = prev.level();
        if (healthySince != null && held(healthySince, hold, now)) {
            level = seen;
            healthySince = null;
        }
        if (p0Since != null && held(p0Since, hold, now)) {
            level = Severity.P0;
        } else if (p1Since != null && held(p1Since, hold, now)) {
            level = level.worst(Severity.P1);
        }
        Outcome outcome = level == Severity.P0 ? Outcome.P0
                : seen.compareTo(level) > 0 ? Outcome.PENDING
                : level == Severity.P1 ? Outcome.P1
                : Outcome.OK;
        List<Series> reported = series.size() > MAX_REPORTED_SERIES ? series.subList(0, MAX_REPORTED_SERIES) : series;
        return new RuleState(prev.rule(), outcome, level, value, reported, message,
                outcome == prev.outcome() ? prev.since() : now, now, p1Since, p0Since, healthySince);
    }

    private static RuleState unobserved(RuleState prev, Outcome outcome, String message, Instant now) {
        return new RuleState(prev.rule(), outcome, prev.level(), null, List.of(), message,
                outcome == prev.outcome() ? prev.since() : now, now, null, null, null);
    }

    /** The series whose severity is highest; among equals, the one furthest in the bad direction. */
    static Series worst(Rule rule, List<Series> series) {
        int direction = rule.direction();
        Comparator<Series> bySeverity = Comparator.comparing(s -> severity(rule, s.value()));
        Comparator<Series> byBadness = Comparator.comparingDouble(s -> direction * s.value());
        return series.stream().max(bySeverity.thenComparing(byBadness)).orElseThrow();
    }

    static Severity severity(Rule rule, double value) {
        if (rule.p0().map(t -> t.breachedBy(value)).orElse(false)) {
            return Severity.P0;
        }
        return rule.p1().map(t -> t.breachedBy(value)).orElse(false) ? Severity.P1 : Severity.NONE;
    }

    /** The threshold a severity is judged against, as the rule file wrote it. */
    public static String thresholdOf(Rule rule, Severity severity) {
        return (severity == Severity.P0 ? rule.p0() : rule.p1()).map(Threshold::text).orElse("");
    }

    /** The threshold a value is judged against: the one it breaches, else the first it would. */
    public static String thresholdFor(Rule rule, Double value) {
        Severity breached = value == null ? Severity.NONE : severity(rule, value);
        if (breached != Severity.NONE) {
            return thresholdOf(rule, breached);
        }
        return rule.p1().or(rule::p0).map(Threshold::text).orElse("");
    }

    private static List<Series> finite(List<Series> series) {
        return series.stream().filter(s -> !Double.isNaN(s.value())).toList();
    }

    private static boolean held(Instant since, Duration hold, Instant now) {
        return !since.plus(hold).isAfter(now);
    }

    private static Instant orNow(Instant since, Instant now) {
        return since == null ? now : since;
    }
}
