package dev.watchdog.evaluation;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.core.Unit;
import dev.watchdog.core.Units;
import dev.watchdog.judge.Observation.Burn;
import dev.watchdog.judge.Observation.Failed;
import dev.watchdog.judge.Observation.GuardNotMet;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.PartialData;
import dev.watchdog.prometheus.Query;
import dev.watchdog.prometheus.Selection;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Slo;
import dev.watchdog.rules.Template;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Gathers what judging a rule at a time needs: its guard, its minimum traffic, its baseline, and its
 * expression (or, for an SLO rule, its burn rates). The same for the daemon's ticks, a replay and
 * {@code watchdog test}; only how a query is answered differs.
 */
public final class Observer {

    private Observer() {}

    /** What the rule sees at {@code now}; never fails: a failed query is a {@link Failed} observation. */
    public static Future<Observation> observe(Rule rule, Release release, RuleState prev, Query query, Instant now) {
        if (now.isBefore(release.startedAt().plus(rule.after()))) {
            return Future.succeededFuture(new Values(List.of()));
        }
        Map<String, String> values = release.templateValues();
        return render(() -> selecting(rule, values, query)).compose(q -> gate(rule, values, q, now)
                .compose(stop -> stop != null ? Future.succeededFuture(stop)
                        : rule.slo().isPresent() ? burn(rule.slo().get(), values, q, release.startedAt(), now)
                        : expr(rule, release, prev, values, q, now)))
                .recover(e -> Future.succeededFuture(e instanceof PartialData ? new Observation.Partial(e.getMessage())
                        : new Failed(e.getMessage())));
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
        Future<Observation> guard = rule.guard()
                .map(g -> render(() -> g.render(values)).compose(q -> query.at(q, now))
                        .map(series -> series.stream().anyMatch(s -> !Double.isNaN(s.value())) ? (Observation) null
                                : new GuardNotMet("guard not met")))
                .orElse(Future.succeededFuture(null));
        return guard.compose(stop -> stop != null || rule.minTraffic().isEmpty() ? Future.succeededFuture(stop)
                : render(() -> rule.minTraffic().get().expr().render(values)).compose(q -> query.at(q, now)).map(series -> {
                    double traffic = sum(series);
                    double atLeast = rule.minTraffic().get().atLeast();
                    return Double.isNaN(traffic) || traffic < atLeast
                            ? new GuardNotMet("traffic " + (Double.isNaN(traffic) ? "none" : Units.number(traffic))
                                    + " below the minimum " + Units.number(atLeast))
                            : null;
                }));
    }

    private static Future<Observation> expr(Rule rule, Release release, RuleState prev, Map<String, String> values,
                                            Query query, Instant now) {
        Template expr = Objects.requireNonNull(rule.expr(), "a rule without slo has expr");
        return render(() -> expr.render(values)).compose(q -> {
            Future<List<Series>> current = query.at(q, now);
            Future<List<Series>> baseline = rule.baseline().isEmpty() ? Future.succeededFuture(null)
                    : baseline(rule, rule.baseline().get(), q, release, prev, query, now);
            return Future.all(current, baseline).compose(x -> Onset.of(rule, q, new Values(current.result(),
                    baseline.result()), prev, query, now, release.startedAt().plus(rule.after())));
        });
    }

    /** A before-release baseline is queried once and kept; an offset baseline moves with {@code now}. */
    private static Future<List<Series>> baseline(Rule rule, Baseline b, String q, Release release, RuleState prev,
                                                 Query query, Instant now) {
        if (b.fixed() && prev.baselines() != null) {
            return Future.succeededFuture(prev.baselines());
        }
        if (!b.fixed()) {
            return query.at(q, now.minus(b.span()));
        }
        if (b.span().isZero()) {
            return query.at(q, release.startedAt());
        }
        String averaged = b.averaged(q, rule.interval().orElse(Duration.ofMinutes(1)));
        return query.at(Objects.requireNonNull(averaged, "a before-release baseline over a span is averaged"),
                release.startedAt());
    }

    /**
     * Burn rates over each pair of windows. Clipped (the default), a pair's long window is cut to the
     * release's age, in whole short windows, and the pair is judged once that is two short windows:
     * both windows then hold the new version alone, the short one always its full length, and the long
     * one says more than the short one (a burst in the first minutes is one burst in ten, not a burn).
     */
    private static Future<Observation> burn(Slo slo, Map<String, String> values, Query query, Instant start, Instant now) {
        Duration age = Duration.ofSeconds(Duration.between(start, now).toSeconds());
        List<Slo.Window> ready = slo.windows().stream().filter(w -> judged(slo, w, age)).toList();
        if (ready.isEmpty()) {
            Duration first = slo.windows().stream().map(Observer::judgedFrom).min(Duration::compareTo).orElseThrow();
            return Future.succeededFuture(new GuardNotMet("release younger than " + Durations.format(first)
                    + ": burn rates wait for two short windows of its own traffic"));
        }
        Map<Duration, Future<Double>> ratios = new HashMap<>();
        for (Slo.Window w : ready) {
            for (Duration window : List.of(longWindow(slo, w, age), w.shortWindow())) {
                ratios.computeIfAbsent(window, x -> ratio(slo, values, query, window, now));
            }
        }
        return Future.all(new ArrayList<>(ratios.values())).map(x -> judgeBurn(slo, ratios, age));
    }

    private static Future<Double> ratio(Slo slo, Map<String, String> values, Query query, Duration window, Instant now) {
        Map<String, String> withWindow = new HashMap<>(values);
        withWindow.put(Template.WINDOW, Durations.format(window));
        Future<List<Series>> errors = render(() -> slo.errors().render(withWindow)).compose(q -> query.at(q, now));
        Future<List<Series>> total = render(() -> slo.total().render(withWindow)).compose(q -> query.at(q, now));
        return Future.all(errors, total).map(x -> {
            double t = sum(total.result());
            double e = sum(errors.result());
            return Double.isNaN(t) || t == 0 ? Double.NaN : (Double.isNaN(e) ? 0 : e) / t;
        });
    }

    /**
     * Severity from the pairs whose both windows burn above their rate; the value both windows sustain.
     * Pairs the release is too young for are named with the age they are judged from.
     */
    static Observation judgeBurn(Slo slo, Map<Duration, Future<Double>> ratios, Duration age) {
        Severity severity = Severity.NONE;
        double worst = Double.NaN;
        List<String> detail = new ArrayList<>();
        for (Slo.Window w : slo.windows()) {
            if (!judged(slo, w, age)) {
                detail.add(pair(w) + " from T+" + Durations.format(judgedFrom(w)));
                continue;
            }
            Duration longWindow = longWindow(slo, w, age);
            String asked = "every judged window was asked";
            double longBurn = Objects.requireNonNull(ratios.get(longWindow), asked).result() / slo.budget();
            double shortBurn = Objects.requireNonNull(ratios.get(w.shortWindow()), asked).result() / slo.budget();
            if (Double.isNaN(longBurn) || Double.isNaN(shortBurn)) {
                detail.add(pair(w) + ": no traffic");
                continue;
            }
            double sustained = Math.min(longBurn, shortBurn);
            worst = Double.isNaN(worst) ? sustained : Math.max(worst, sustained);
            if (sustained > w.burnRate()) {
                severity = severity.worst(w.p0() ? Severity.P0 : Severity.P1);
            }
            detail.add(Units.number(longBurn) + "x over " + Durations.format(longWindow) + " and " + Units.number(shortBurn)
                    + "x over " + Durations.format(w.shortWindow()) + " (" + rate(slo, w) + ")");
        }
        if (Double.isNaN(worst)) {
            return new Values(List.of());
        }
        return new Burn(severity, worst, String.join("; ", detail));
    }

    /** A pair is judged once its clipped long window is two short windows, or whole (always, when not clipped). */
    private static boolean judged(Slo slo, Slo.Window w, Duration age) {
        return !slo.clip() || age.compareTo(judgedFrom(w)) >= 0;
    }

    private static Duration judgedFrom(Slo.Window w) {
        Duration two = w.shortWindow().multipliedBy(2);
        return two.compareTo(w.longWindow()) < 0 ? two : w.longWindow();
    }

    /**
     * The long window, clipped to the release's age in whole short windows: the query text (and with it
     * a replay's range queries) then stays the same for a whole short window.
     */
    static Duration longWindow(Slo slo, Slo.Window w, Duration age) {
        if (!slo.clip() || w.longWindow().compareTo(age) <= 0) {
            return w.longWindow();
        }
        return w.shortWindow().multipliedBy(Math.max(1, age.toMillis() / w.shortWindow().toMillis()));
    }

    private static String pair(Slo.Window w) {
        return Durations.format(w.longWindow()) + "/" + Durations.format(w.shortWindow()) + " (" + (w.p0() ? "P0" : "P1")
                + " above " + Units.number(w.burnRate()) + "x)";
    }

    /** "P0 above 50x, 5 % errors": the burn rate and the error ratio it stands for. */
    private static String rate(Slo slo, Slo.Window w) {
        return (w.p0() ? "P0" : "P1") + " above " + Units.number(w.burnRate()) + "x, "
                + Units.format(Unit.RATIO, w.burnRate() * slo.budget()) + " errors";
    }

    private static double sum(List<Series> series) {
        return series.stream().mapToDouble(Series::value).filter(v -> !Double.isNaN(v))
                .reduce(Double::sum).orElse(Double.NaN);
    }

    private static <T> Future<T> render(Supplier<T> rendering) {
        try {
            return Future.succeededFuture(rendering.get());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }
}
