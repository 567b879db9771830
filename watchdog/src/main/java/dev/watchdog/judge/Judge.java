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
import java.util.ArrayList;
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
 * no data judged inconclusive, a guard not met, partial data, a change a rule's test cannot tell from
 * chance) breaks both clocks and keeps the level: it can neither raise nor clear a breach.
 */
public final class Judge {

    private static final int MAX_REPORTED_SERIES = 20;

    private Judge() {}

    public static RuleState judge(Rule rule, RuleState prev, Observation seen, Instant now, Instant releaseStart) {
        if (now.isBefore(releaseStart.plus(rule.judgement().after()))) {
            return Clocks.unobserved(prev, Outcome.WAITING, "judged from T+" + Durations.format(rule.judgement().after()),
                    null, now);
        }
        if (seen instanceof Failed f) {
            return Clocks.unobserved(prev, Outcome.ERROR, f.message(), null, now);
        }
        if (seen instanceof GuardNotMet g) {
            return Clocks.unobserved(prev, Outcome.INCONCLUSIVE, g.why(), null, now);
        }
        if (seen instanceof Observation.Partial p) {
            return Clocks.unobserved(prev, Outcome.INCONCLUSIVE, p.why(), null, now);
        }
        if (seen instanceof Observation.Burn b) {
            return Clocks.observed(rule, prev, new Reading(new Series(Map.of(), b.value()), null, b.severity(), null, null),
                    List.of(), b.detail(), Map.of(), now);
        }
        Values v = (Values) seen;
        RuleState kept = Kept.keep(rule, prev, v);
        return values(rule, kept, Kept.withKept(rule, kept, v), now);
    }

    /** Loops rather than streams: every rule of every release of a fleet is judged here each tick. */
    private static RuleState values(Rule rule, RuleState prev, Values v, Instant now) {
        if (allNaN(v.series())) {
            return switch (rule.judgement().noData()) {
                case OK -> Clocks.observed(rule, prev, none(Severity.NONE), List.of(), "no data (counted as ok)", Map.of(), now);
                case BREACH -> Clocks.observed(rule, prev, none(rule.judgement().p0().isPresent() ? Severity.P0 : Severity.P1),
                        List.of(), "no data (counted as a breach)", Map.of(), now);
                case INCONCLUSIVE -> Clocks.unobserved(prev, Outcome.INCONCLUSIVE, "no data", null, now);
            };
        }
        List<Reading> all = rule.judgement().test().isPresent()
                ? Tested.readings(rule, v, prev, Kept.dispersion(prev)) : Plain.readings(rule, v);
        if (all.isEmpty()) {
            return Clocks.unobserved(prev, Outcome.INCONCLUSIVE, "no data", null, now);
        }
        Reading worst = null;
        List<Series> series = new ArrayList<>(all.size());
        for (Reading r : all) {
            if (r.severity() != null && (worst == null || worse(rule, r, worst))) {
                worst = r;
            }
            if (!Double.isNaN(r.series().value())) {
                series.add(r.series());
            }
        }
        if (worst == null) {
            Reading first = all.get(0);
            return Clocks.unobserved(prev, Outcome.INCONCLUSIVE, first.why(), first.evidence(), now);
        }
        return Clocks.observed(rule, prev, worst, series, null, v.onset(), now);
    }

    private static boolean allNaN(List<Series> series) {
        for (Series s : series) {
            if (!Double.isNaN(s.value())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code a} reads worse than {@code b}: a higher severity; among equals, further in the bad
     * direction. Of equals, the first one read stays the worst, as {@link #worst(Rule, List)} keeps it.
     */
    private static boolean worse(Rule rule, Reading a, Reading b) {
        int bySeverity = Objects.requireNonNull(a.severity()).compareTo(Objects.requireNonNull(b.severity()));
        if (bySeverity != 0) {
            return bySeverity > 0;
        }
        int direction = rule.direction();
        return Double.compare(direction * a.series().value(), direction * b.series().value()) > 0;
    }

    private static Reading none(Severity severity) {
        return new Reading(new Series(Map.of(), Double.NaN), null, severity, null, null);
    }

    /** The reading whose severity is highest; among equals, the one furthest in the bad direction. */
    static Reading worst(Rule rule, List<Reading> judged) {
        int direction = rule.direction();
        Comparator<Reading> bySeverity = Comparator.comparing(Reading::severity);
        Comparator<Reading> byBadness = Comparator.comparingDouble(r -> direction * r.series().value());
        return judged.stream().max(bySeverity.thenComparing(byBadness)).orElseThrow();
    }

    /**
     * The worst severity of a plain rule's series at another time than {@code context}'s, against the
     * baselines {@code context} holds: where a breach began, for {@code for}.
     */
    public static Severity worst(Rule rule, List<Series> series, Values context) {
        Values at = new Values(Sample.of(series), context.references(), context.split(), null, Map.of());
        return Plain.readings(rule, at).stream().map(Reading::severity).filter(s -> s != null)
                .reduce(Severity.NONE, Severity::worst);
    }

    /** One look at a rule without a test: its worst series's value, baseline and severity. */
    public record Look(Severity severity, double value, @Nullable Double baseline) {}

    /**
     * A rule without a test looked at once, {@code for} aside, as at registration: the reading of its
     * worst series, read by its shape against its baseline; empty when no series can be told.
     */
    public static Optional<Look> once(Rule rule, Values v) {
        List<Reading> judged = Plain.readings(rule, v).stream().filter(r -> r.severity() != null).toList();
        return judged.isEmpty() ? Optional.empty() : Optional.of(worst(rule, judged))
                .map(r -> new Look(r.told(), r.series().value(), r.baseline()));
    }

    /** At most this many series are kept and shown. */
    static List<Series> reported(List<Series> series) {
        return series.size() > MAX_REPORTED_SERIES ? series.subList(0, MAX_REPORTED_SERIES) : series;
    }

    /**
     * The severity a value reads at against its baseline; null when it cannot be told (a relative
     * threshold with no baseline, or a baseline of zero) and no threshold that can be told is breached.
     */
    public static @Nullable Severity severity(Rule rule, double value, @Nullable Double baseline) {
        Boolean p0 = breached(rule.judgement().p0(), value, baseline);
        if (Boolean.TRUE.equals(p0)) {
            return Severity.P0;
        }
        Boolean p1 = breached(rule.judgement().p1(), value, baseline);
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
        return (severity == Severity.P0 ? rule.judgement().p0() : rule.judgement().p1()).map(Threshold::text).orElse("");
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
        return rule.judgement().p1().or(rule.judgement()::p0).map(Threshold::text).orElse("");
    }

    static boolean held(Instant since, Duration hold, Instant now) {
        return !since.plus(hold).isAfter(now);
    }
}
