package dev.watchdog.evaluation;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.core.Unit;
import dev.watchdog.core.Units;
import dev.watchdog.judge.Observation.Burn;
import dev.watchdog.judge.Observation.GuardNotMet;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.Observation;
import dev.watchdog.prometheus.Query;
import dev.watchdog.rules.Slo;
import dev.watchdog.rules.Template;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An SLO rule's burn rates over its pairs of windows, judged against each pair's rate. */
final class Burns {

    private Burns() {}

    /**
     * Burn rates over each pair of windows. Clipped (the default), a pair's long window is cut to the
     * release's age, in whole short windows, and the pair is judged once that is two short windows:
     * both windows then hold the new version alone, the short one always its full length, and the long
     * one says more than the short one (a burst in the first minutes is one burst in ten, not a burn).
     */
    static Future<Observation> burn(Slo slo, Map<String, String> values, Query query, Instant start, Instant now) {
        Duration age = Duration.ofSeconds(Duration.between(start, now).toSeconds());
        List<Slo.Window> ready = slo.windows().stream().filter(w -> judged(slo, w, age)).toList();
        if (ready.isEmpty()) {
            Duration first = slo.windows().stream().map(Burns::judgedFrom).min(Duration::compareTo).orElseThrow();
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
        Future<List<Series>> errors = Observer.render(() -> slo.errors().render(withWindow)).compose(q -> query.at(q, now));
        Future<List<Series>> total = Observer.render(() -> slo.total().render(withWindow)).compose(q -> query.at(q, now));
        return Future.all(errors, total).map(x -> {
            double t = Observer.sum(total.result());
            double e = Observer.sum(errors.result());
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

}
