package dev.watchdog.judge;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Outcome;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation.Failed;
import dev.watchdog.judge.Observation.GuardNotMet;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Threshold;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Decides a rule's outcome from what was observed and what came before. Pure: no I/O, no clock of
 * its own; time comes in as {@code now}.
 *
 * <p>A breach must be observed without a break for {@code for} before it counts, and health must be
 * observed as long before a counted breach is let go. An evaluation that observes nothing (an error,
 * no data judged inconclusive, a guard not met, partial data, counts too few or a change within
 * chance for a rule with {@code significance}) breaks both clocks and keeps the level: it can
 * neither raise nor clear a breach.
 */
public final class Judge {

    private static final int MAX_REPORTED_SERIES = 20;

    private Judge() {}

    public static RuleState judge(Rule rule, RuleState prev, Observation seen, Instant now, Instant releaseStart) {
        if (now.isBefore(releaseStart.plus(rule.after()))) {
            return unobserved(prev, Outcome.WAITING, "judged from T+" + Durations.format(rule.after()), now);
        }
        if (seen instanceof Failed f) {
            return unobserved(prev, Outcome.ERROR, f.message(), now);
        }
        if (seen instanceof GuardNotMet g) {
            return unobserved(prev, Outcome.INCONCLUSIVE, g.why(), now);
        }
        if (seen instanceof Observation.Partial p) {
            return unobserved(prev, Outcome.INCONCLUSIVE, p.why(), now);
        }
        if (seen instanceof Observation.Burn b) {
            return observed(rule, prev, b.severity(), b.value(), null, List.of(), null, b.detail(), Map.of(), now);
        }
        Values v = (Values) seen;
        return values(rule, prev, finite(v.series()), v.baselines(), v.onset(), now);
    }

    private static RuleState values(Rule rule, RuleState prev, List<Series> series, @Nullable List<Series> baselines,
                                    Map<Severity, Instant> onset, Instant now) {
        if (series.isEmpty()) {
            return switch (rule.noData()) {
                case OK -> observed(rule, prev, Severity.NONE, null, null, series, baselines, "no data (counted as ok)",
                        Map.of(), now);
                case BREACH -> observed(rule, prev, rule.p0().isPresent() ? Severity.P0 : Severity.P1, null, null, series,
                        baselines, "no data (counted as a breach)", Map.of(), now);
                case INCONCLUSIVE -> unobserved(prev, Outcome.INCONCLUSIVE, "no data", now);
            };
        }
        List<Judged> all = series.stream().map(s -> judged(rule, s, baselineOf(s, baselines))).toList();
        List<Judged> judged = all.stream().filter(j -> j.severity() != null).toList();
        if (judged.isEmpty()) {
            return unobserved(prev, Outcome.INCONCLUSIVE, all.get(0).why(), now);
        }
        Judged worst = worst(rule, judged);
        Severity seen = Objects.requireNonNull(worst.severity(), "judged series have a severity");
        return observed(rule, prev, seen, worst.series().value(), worst.baseline(), series, baselines, null,
                onset, now);
    }

    /** A series with its baseline and the severity it reads at, or null with why it cannot be told. */
    record Judged(Series series, @Nullable Double baseline, @Nullable Severity severity, @Nullable String why) {}

    private static Judged judged(Rule rule, Series series, @Nullable Double baseline) {
        Counted.Reading r = Counted.read(rule, series.value(), baseline);
        return new Judged(series, baseline, r.severity(), r.why());
    }

    /** The baseline series with the same labels; a lone baseline series (an aggregate) serves every series. */
    public static @Nullable Double baselineOf(Series series, @Nullable List<Series> baselines) {
        if (baselines == null) {
            return null;
        }
        List<Series> usable = finite(baselines);
        return usable.stream().filter(b -> b.labels().equals(series.labels())).findFirst()
                .or(() -> usable.size() == 1 ? Optional.of(usable.get(0)) : Optional.empty())
                .map(Series::value).orElse(null);
    }

    /**
     * {@code onset}: since when the data shows each severity's condition has held, where it was looked
     * up (the first evaluation that sees a breach): {@code for} counts from there, not from now.
     */
    private static RuleState observed(Rule rule, RuleState prev, Severity seen, @Nullable Double value,
                                      @Nullable Double baseline, List<Series> series, @Nullable List<Series> baselines,
                                      @Nullable String message,
                                      Map<Severity, Instant> onset, Instant now) {
        Duration hold = rule.forDuration();
        Instant p0Since = seen == Severity.P0 ? orNow(prev.p0Since(), onset.getOrDefault(Severity.P0, now)) : null;
        Instant p1Since = seen != Severity.NONE ? orNow(prev.p1Since(), onset.getOrDefault(Severity.P1, now)) : null;
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
        return new RuleState(prev.rule(), outcome, level, value, baseline, reported, baselines, message,
                outcome == prev.outcome() ? prev.since() : now, now, p1Since, p0Since, healthySince, now);
    }

    private static RuleState unobserved(RuleState prev, Outcome outcome, @Nullable String message, Instant now) {
        return new RuleState(prev.rule(), outcome, prev.level(), null, null, List.of(), prev.baselines(), message,
                outcome == prev.outcome() ? prev.since() : now, now, null, null, null, prev.judgedAt());
    }

    /** The series whose severity is highest; among equals, the one furthest in the bad direction. */
    static Judged worst(Rule rule, List<Judged> judged) {
        int direction = rule.direction();
        Comparator<Judged> bySeverity = Comparator.comparing(Judged::severity);
        Comparator<Judged> byBadness = Comparator.comparingDouble(j -> direction * j.series().value());
        return judged.stream().max(bySeverity.thenComparing(byBadness)).orElseThrow();
    }

    /**
     * The severity a value reads at against its baseline; null when it cannot be told (a relative
     * threshold with no baseline, or a baseline of zero) and no threshold that can be told is breached.
     */
    public static @Nullable Severity severity(Rule rule, double value, @Nullable Double baseline) {
        Boolean p0 = breached(rule.p0(), value, baseline);
        if (Boolean.TRUE.equals(p0)) {
            return Severity.P0;
        }
        Boolean p1 = breached(rule.p1(), value, baseline);
        if (Boolean.TRUE.equals(p1)) {
            return Severity.P1;
        }
        return p0 == null || p1 == null ? null : Severity.NONE;
    }

    /** Not Optional.map: its null, "cannot tell", must not turn into "not breached". */
    private static @Nullable Boolean breached(Optional<Threshold> threshold, double value, @Nullable Double baseline) {
        return threshold.isPresent() ? threshold.get().breachedBy(value, baseline) : Boolean.FALSE;
    }

    /** The threshold a severity is judged against, as the rule file wrote it. */
    public static String thresholdOf(Rule rule, Severity severity) {
        return (severity == Severity.P0 ? rule.p0() : rule.p1()).map(Threshold::text).orElse("");
    }

    /** The threshold a value is judged against: the one it breaches, else the first it would. */
    public static String thresholdFor(Rule rule, @Nullable Double value, @Nullable Double baseline) {
        Severity breached = value == null ? Severity.NONE : severity(rule, value, baseline);
        if (breached == null) {
            breached = Severity.NONE;
        }
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

    private static Instant orNow(@Nullable Instant since, Instant now) {
        return since == null ? now : since;
    }
}
