package dev.watchdog.evaluation;

import dev.watchdog.config.Durations;
import dev.watchdog.evaluation.Observation.Burn;
import dev.watchdog.evaluation.Observation.Failed;
import dev.watchdog.evaluation.Observation.GuardNotMet;
import dev.watchdog.evaluation.Observation.Values;
import dev.watchdog.release.Release;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Slo;
import dev.watchdog.rules.Template;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Gathers what judging a rule at a time needs: its guard, its minimum traffic, its baseline, and its
 * expression (or, for an SLO rule, its burn rates). The same for the daemon's ticks, a replay and
 * {@code watchdog test}; only how a query is answered differs.
 */
public final class Observer {

    /** A release younger than this has too little of its own data for burn rates. */
    static final Duration YOUNGEST_SLO = Duration.ofMinutes(1);

    private Observer() {}

    /** Evaluates PromQL at a time. */
    @FunctionalInterface
    public interface Query {
        Future<List<Series>> at(String promql, Instant time);
    }

    /** What the rule sees at {@code now}; never fails: a failed query is a {@link Failed} observation. */
    public static Future<Observation> observe(Rule rule, Release release, RuleState prev, Query query, Instant now) {
        if (now.isBefore(release.startedAt().plus(rule.after()))) {
            return Future.succeededFuture(new Values(List.of()));
        }
        Map<String, String> values = release.templateValues();
        return gate(rule, values, query, now)
                .compose(stop -> stop != null ? Future.succeededFuture(stop)
                        : rule.slo().isPresent() ? burn(rule.slo().get(), values, query, release.startedAt(), now)
                        : expr(rule, release, prev, values, query, now))
                .recover(e -> Future.succeededFuture(new Failed(e.getMessage())));
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
                            ? new GuardNotMet("traffic " + (Double.isNaN(traffic) ? "none" : number(traffic))
                                    + " below the minimum " + number(atLeast))
                            : null;
                }));
    }

    private static Future<Observation> expr(Rule rule, Release release, RuleState prev, Map<String, String> values,
                                            Query query, Instant now) {
        return render(() -> rule.expr().render(values)).compose(q -> {
            Future<List<Series>> current = query.at(q, now);
            if (rule.baseline().isEmpty()) {
                return current.map(series -> (Observation) new Values(series));
            }
            Future<List<Series>> baseline = baseline(rule, rule.baseline().get(), q, release, prev, query, now);
            return Future.all(current, baseline).map(x -> (Observation) new Values(current.result(), baseline.result()));
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
        return query.at(b.averaged(q, rule.interval().orElse(Duration.ofMinutes(1))), release.startedAt());
    }

    /**
     * Burn rates over each pair of windows. Clipped (the default), a window never reaches back
     * before the release: the old version's errors neither dilute nor inflate the new one's.
     */
    private static Future<Observation> burn(Slo slo, Map<String, String> values, Query query, Instant start, Instant now) {
        Duration age = Duration.ofSeconds(Duration.between(start, now).toSeconds());
        if (slo.clip() && age.compareTo(YOUNGEST_SLO) < 0) {
            return Future.succeededFuture(new GuardNotMet("release younger than " + Durations.format(YOUNGEST_SLO)
                    + ": too little of its own traffic for burn rates"));
        }
        Map<Duration, Future<Double>> ratios = new HashMap<>();
        for (Slo.Window w : slo.windows()) {
            for (Duration d : List.of(w.longWindow(), w.shortWindow())) {
                Duration window = slo.clip() && d.compareTo(age) > 0 ? age : d;
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

    /** Severity from the pairs whose both windows burn at least their rate; the value both windows sustain. */
    static Observation judgeBurn(Slo slo, Map<Duration, Future<Double>> ratios, Duration age) {
        Severity severity = Severity.NONE;
        double worst = Double.NaN;
        List<String> detail = new ArrayList<>();
        for (Slo.Window w : slo.windows()) {
            double longBurn = ratios.get(clip(slo, w.longWindow(), age)).result() / slo.budget();
            double shortBurn = ratios.get(clip(slo, w.shortWindow(), age)).result() / slo.budget();
            if (Double.isNaN(longBurn) || Double.isNaN(shortBurn)) {
                continue;
            }
            double sustained = Math.min(longBurn, shortBurn);
            worst = Double.isNaN(worst) ? sustained : Math.max(worst, sustained);
            if (sustained >= w.burnRate()) {
                severity = severity.worst(w.p0() ? Severity.P0 : Severity.P1);
            }
            detail.add(String.format(Locale.ROOT, "%.1fx over %s and %.1fx over %s (%s at %sx)", longBurn,
                    Durations.format(w.longWindow()), shortBurn, Durations.format(w.shortWindow()), w.p0() ? "P0" : "P1",
                    number(w.burnRate())));
        }
        if (Double.isNaN(worst)) {
            return new Values(List.of());
        }
        return new Burn(severity, worst, String.join("; ", detail));
    }

    private static Duration clip(Slo slo, Duration d, Duration age) {
        return slo.clip() && d.compareTo(age) > 0 ? age : d;
    }

    private static double sum(List<Series> series) {
        return series.stream().mapToDouble(Series::value).filter(v -> !Double.isNaN(v))
                .reduce(Double::sum).orElse(Double.NaN);
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static Future<String> render(Supplier<String> rendering) {
        try {
            return Future.succeededFuture(rendering.get());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }
}
