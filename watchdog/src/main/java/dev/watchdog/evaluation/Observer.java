package dev.watchdog.evaluation;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.core.Units;
import dev.watchdog.judge.Observation.Failed;
import dev.watchdog.judge.Observation.GuardNotMet;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.PartialData;
import dev.watchdog.prometheus.Query;
import dev.watchdog.prometheus.Selection;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Template;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Gathers what judging a rule at a time needs: its guard, its minimum traffic, its baseline, and its
 * expression (or, for an SLO rule, its burn rates). The same for the daemon's ticks, a replay and
 * {@code watchdog test}; only how a query is answered differs. {@code {{since_release}}} is the
 * release's age at the evaluation (after a rollback, the time since the rollback: what is verified
 * then is the version rolled back to).
 */
public final class Observer {

    private Observer() {}

    /** What the rule sees at {@code now}; never fails: a failed query is a {@link Failed} observation. */
    public static Future<Observation> observe(Rule rule, Release release, RuleState prev, Query query, Instant now) {
        if (now.isBefore(release.startedAt().plus(rule.judgement().after()))) {
            return Future.succeededFuture(new Values(List.of()));
        }
        Duration age = Duration.between(origin(release), now);
        boolean positive = !age.isNegative() && !age.isZero();
        if (rule.cumulative() && !positive) {
            return Future.succeededFuture(new Values(List.of()));
        }
        Map<String, String> values = new HashMap<>(release.templateValues());
        values.put(Template.SINCE_RELEASE, Durations.format(positive ? age : Duration.ofSeconds(1)));
        return render(() -> selecting(rule, values, query)).compose(q -> gate(rule, values, q, now)
                .compose(stop -> stop != null ? Future.succeededFuture(stop)
                        : rule.measure().slo().isPresent()
                        ? Burns.burn(rule.measure().slo().get(), values, q, release.startedAt(), now)
                        : References.observe(rule, release, prev, values, q, now)))
                .recover(e -> Future.succeededFuture(e instanceof PartialData ? new Observation.Partial(e.getMessage())
                        : new Failed(e.getMessage())));
    }

    /** Where counts since the release start: the release's start, or its rollback once rolled back. */
    static Instant origin(Release release) {
        return release.state() == Release.State.ROLLED_BACK && release.endedAt() != null ? release.endedAt()
                : release.startedAt();
    }

    /**
     * For a {@code select} rule, every query answers with the release's series alone: the same
     * query text for every release, each judged on the series whose labels equal its selection.
     */
    private static Query selecting(Rule rule, Map<String, String> values, Query query) {
        if (!rule.scope().selects()) {
            return query;
        }
        Selection.Selector selector = new Selection.Selector(rule.scope().labels(), rule.scope().values(values));
        return new Query() {
            @Override
            public Future<List<Series>> at(String promql, Instant time) {
                return query.selected(promql, time, selector);
            }

            @Override
            public Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
                return query.range(promql, start, end, step).map(steps -> {
                    Map<Instant, List<Series>> mine = new LinkedHashMap<>();
                    steps.forEach((at, series) -> mine.put(at, Selection.filter(series, selector)));
                    return mine;
                });
            }
        };
    }

    /** The guard and minTraffic: an observation that stops judging here, or null to go on. */
    private static Future<Observation> gate(Rule rule, Map<String, String> values, Query query, Instant now) {
        Future<Observation> guard = rule.measure().guard()
                .map(g -> render(() -> g.render(values)).compose(q -> query.at(q, now))
                        .map(series -> series.stream().anyMatch(s -> !Double.isNaN(s.value())) ? (Observation) null
                                : new GuardNotMet("guard not met")))
                .orElse(Future.succeededFuture(null));
        return guard.compose(stop -> stop != null || rule.measure().minTraffic().isEmpty() ? Future.succeededFuture(stop)
                : render(() -> rule.measure().minTraffic().get().expr().render(values)).compose(q -> query.at(q, now))
                .map(series -> {
                    double traffic = sum(series);
                    double atLeast = rule.measure().minTraffic().get().atLeast();
                    return Double.isNaN(traffic) || traffic < atLeast
                            ? new GuardNotMet("traffic " + (Double.isNaN(traffic) ? "none" : Units.number(traffic))
                                    + " below the minimum " + Units.number(atLeast))
                            : null;
                }));
    }

    static double sum(List<Series> series) {
        return series.stream().mapToDouble(Series::value).filter(v -> !Double.isNaN(v))
                .reduce(Double::sum).orElse(Double.NaN);
    }

    static <T> Future<T> render(Supplier<T> rendering) {
        try {
            return Future.succeededFuture(rendering.get());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }
}
