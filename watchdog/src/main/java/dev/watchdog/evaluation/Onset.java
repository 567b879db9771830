package dev.watchdog.evaluation;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.Query;
import dev.watchdog.rules.Rule;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Since when the data shows a breach: the first evaluation that sees a rule breaching asks for its
 * expression over the last {@code for} (a range query) and walks back from now while every step
 * breaches at least as badly. {@code for} then counts from there, not from the moment the watchdog
 * happened to look: a breach is acted on once it has held for {@code for}, whatever the phase of the
 * ticks. Where no range can be asked for (replay, rule tests), {@code for} counts from the evaluation.
 */
final class Onset {

    /** The resolution of the walk: a hundredth of {@code for}, and never finer than this. */
    private static final Duration FINEST = Duration.ofMillis(100);

    private Onset() {}

    /** {@code seen} with the onsets it needs, or as it is when it needs none or the range cannot be had. */
    static Future<Observation> of(Rule rule, String promql, Values seen, RuleState prev, Query query,
                                  Instant now, Instant notBefore) {
        Severity severity = Judge.worst(rule, seen.series(), seen);
        boolean p1 = severity != Severity.NONE && prev.p1Since() == null;
        boolean p0 = severity == Severity.P0 && prev.p0Since() == null;
        Instant start = later(now.minus(rule.judgement().forDuration()), notBefore);
        if (rule.judgement().forDuration().isZero() || !(p1 || p0) || !start.isBefore(now)) {
            return Future.succeededFuture(seen);
        }
        Duration step = later(rule.judgement().forDuration().dividedBy(100), FINEST);
        return query.range(promql, start, now, step)
                .map(steps -> (Observation) seen.withOnset(onsets(rule, steps, step, seen, p1, p0)))
                .otherwise(seen);
    }

    /**
     * For each severity asked about, the earliest step from which every later step breaches at least
     * that badly; a step missing (no data then) ends the run, as it resets {@code for} in Prometheus.
     */
    static Map<Severity, Instant> onsets(Rule rule, Map<Instant, List<Series>> steps, Duration step,
                                         Values context, boolean p1, boolean p0) {
        List<Instant> latestFirst = steps.keySet().stream().sorted(Comparator.reverseOrder()).toList();
        Map<Severity, Instant> out = new EnumMap<>(Severity.class);
        for (Severity level : List.of(Severity.P1, Severity.P0)) {
            if (level == Severity.P1 ? !p1 : !p0) {
                continue;
            }
            Instant earliest = null;
            for (Instant t : latestFirst) {
                boolean gap = earliest != null && Duration.between(t, earliest).compareTo(step.multipliedBy(3).dividedBy(2)) > 0;
                List<Series> at = Objects.requireNonNull(steps.get(t), "t is a step");
                if (gap || Judge.worst(rule, at, context).compareTo(level) < 0) {
                    break;
                }
                earliest = t;
            }
            if (earliest != null) {
                out.put(level, earliest);
            }
        }
        return out;
    }

    /** Whether {@code seen} may need an onset: no, once both clocks run, or when {@code for} is zero. */
    static boolean mayNeed(Rule rule, RuleState prev) {
        return !rule.judgement().forDuration().isZero()
                && (prev.p1Since() == null || (prev.p0Since() == null && rule.judgement().p0().isPresent()));
    }

    private static <T extends Comparable<T>> T later(T a, T b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
