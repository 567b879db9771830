package dev.watchdog.evaluation;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.judge.Sample;
import dev.watchdog.judge.Split;
import dev.watchdog.prometheus.Query;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Shape;
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
import org.jspecify.annotations.Nullable;

/**
 * A rule's expression (and total) now and at each of its baseline alternatives: offsets at the same
 * clock time earlier, the span before the release (asked once, then kept with the release), and, for
 * a rule with a test, the expression minute by minute before the release and about the same time on
 * the reference days (asked once), from which the judge learns how much the counts vary beyond chance.
 */
final class References {

    /** The minutes before the release whose counts tell how bursty they are, and today's level. */
    static final int MINUTES = 120;
    /** The minutes after the release's time on a reference day also asked: more minutes to learn the dispersion from. */
    static final int AFTER = 60;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private References() {}

    static Future<Observation> observe(Rule rule, Release release, RuleState prev, Map<String, String> values,
                                       Query query, Instant now) {
        Future<Sample> current = sample(rule, values, query, now);
        Map<String, Future<List<Sample>>> references = new LinkedHashMap<>();
        for (Baseline.Reference a : rule.measure().baseline().map(Baseline::alternatives).orElse(List.of())) {
            if (a instanceof Baseline.Offsets o) {
                references.put(a.text(), Future.all(o.offsets().stream().map(d -> sample(rule, values, query, now.minus(d)))
                        .toList()).map(all -> all.<Sample>list()));
            } else if (a instanceof Baseline.BeforeRelease b) {
                references.put(a.text(), beforeRelease(rule, b, release, prev, values, query).map(List::of));
            }
        }
        Future<@Nullable List<List<Sample>>> minutes = minutes(rule, release, prev, values, query);
        List<Future<?>> all = new ArrayList<>(references.values());
        all.add(current);
        all.add(minutes);
        return Future.all(all).compose(x -> {
            Map<String, List<Sample>> answered = new LinkedHashMap<>();
            references.forEach((text, f) -> answered.put(text, f.result()));
            Values seen = new Values(current.result(), answered, split(rule, release), minutes.result(), Map.of());
            return plainValues(rule) ? Onset.of(rule, template(rule, values), seen, prev, query, now,
                    release.startedAt().plus(rule.judgement().after())) : Future.succeededFuture(seen);
        });
    }

    /** The expression, and the total for a ratio, at {@code time}. */
    private static Future<Sample> sample(Rule rule, Map<String, String> values, Query query, Instant time) {
        Future<List<Series>> series = Observer.render(() -> expr(rule).render(values))
                .compose(q -> query.at(q, time));
        Future<List<Series>> totals = rule.measure().shape() instanceof Shape.Ratio r
                ? Observer.render(() -> r.total().render(values)).compose(q -> query.at(q, time))
                : Future.succeededFuture(null);
        return Future.all(series, totals).map(x -> new Sample(series.result(), totals.result()));
    }

    /**
     * Asked once and kept: counts since the release are compared with the counts over the span before it
     * ({@code {{since_release}}} set to the span, at the start); other rules with the expression at the
     * start, or averaged over the span before it.
     */
    private static Future<Sample> beforeRelease(Rule rule, Baseline.BeforeRelease b, Release release, RuleState prev,
                                                Map<String, String> values, Query query) {
        if (prev.baselines() != null) {
            return Future.succeededFuture(new Sample(prev.baselines(), prev.kept() == null ? null : prev.kept().totals()));
        }
        Instant start = release.startedAt();
        if (rule.cumulative()) {
            return sample(rule, withSince(values, b.span()), query, start);
        }
        Baseline averaging = new Baseline(List.of(b), b.text());
        Duration step = rule.measure().interval().orElse(MINUTE);
        Future<List<Series>> series = at(expr(rule), values, query, start, averaging, step);
        Future<List<Series>> totals = rule.measure().shape() instanceof Shape.Ratio r
                ? at(r.total(), values, query, start, averaging, step) : Future.succeededFuture(null);
        return Future.all(series, totals).map(x -> new Sample(series.result(), totals.result()));
    }

    /** A template at the release's start, averaged over the span before it when the baseline has one. */
    private static Future<List<Series>> at(Template template, Map<String, String> values, Query query, Instant start,
                                           Baseline averaging, Duration step) {
        return Observer.render(() -> template.render(values)).compose(q -> {
            String averaged = averaging.averaged(q, step);
            return query.at(averaged == null ? q : averaged, start);
        });
    }

    /**
     * For a rule with a test, once: the expression minute by minute ({@code {{since_release}}} set to a
     * minute) over the two hours before the release and, for offset baselines, over the same two hours
     * and the hour after the release's time on each reference day: a few hundred minutes, so that rare
     * bursts show in them, and the hours before give each day's level against today's. By
     * one range query each where Prometheus is asked directly, minute by minute where answers come from
     * a replay's ranges. Today's span first, then each offset's in the order of
     * {@link Baseline#offsets}.
     */
    private static Future<@Nullable List<List<Sample>>> minutes(Rule rule, Release release, RuleState prev,
                                                          Map<String, String> values, Query query) {
        boolean known = prev.kept() != null && prev.kept().dispersion() != null;
        if (rule.judgement().test().isEmpty() || !rule.cumulative() || known) {
            return Future.succeededFuture(null);
        }
        Instant start = release.startedAt();
        List<Future<List<Sample>>> spans = new ArrayList<>();
        spans.add(span(rule, values, query, start.minus(MINUTE.multipliedBy(MINUTES - 1L)), start));
        for (Duration d : rule.measure().baseline().map(Baseline::offsets).orElse(List.of())) {
            spans.add(span(rule, values, query, start.minus(d).minus(MINUTE.multipliedBy(MINUTES - 1L)),
                    start.minus(d).plus(MINUTE.multipliedBy(AFTER))));
        }
        return Future.all(new ArrayList<>(spans)).map(x -> spans.stream().map(Future::result).toList());
    }

    /** The expression minute by minute from first to last. */
    private static Future<List<Sample>> span(Rule rule, Map<String, String> values, Query query, Instant first,
                                             Instant last) {
        Map<String, String> perMinute = withSince(values, MINUTE);
        Future<Map<Instant, List<Series>>> series = Observer.render(() -> expr(rule).render(perMinute))
                .compose(q -> range(query, q, first, last));
        Future<Map<Instant, List<Series>>> totals = rule.measure().shape() instanceof Shape.Ratio r
                ? Observer.render(() -> r.total().render(perMinute)).compose(q -> range(query, q, first, last))
                : Future.succeededFuture(Map.of());
        return Future.all(series, totals).map(x -> {
            List<Sample> out = new ArrayList<>();
            for (Instant t = first; !t.isAfter(last); t = t.plus(MINUTE)) {
                List<Series> total = totals.result().get(t);
                out.add(new Sample(series.result().getOrDefault(t, List.of()),
                        rule.measure().shape() instanceof Shape.Ratio ? (total == null ? List.of() : total) : null));
            }
            return out;
        });
    }

    /** Minute steps from first to last: one range query, or one query a minute where ranges are not to be had. */
    private static Future<Map<Instant, List<Series>>> range(Query query, String promql, Instant first, Instant last) {
        return query.range(promql, first, last, MINUTE).recover(e -> {
            Map<Instant, Future<List<Series>>> each = new LinkedHashMap<>();
            for (Instant t = first; !t.isAfter(last); t = t.plus(MINUTE)) {
                each.put(t, query.at(promql, t));
            }
            return Future.all(new ArrayList<>(each.values())).map(x -> {
                Map<Instant, List<Series>> out = new HashMap<>();
                each.forEach((t, f) -> out.put(t, f.result()));
                return out;
            });
        });
    }

    /** How the versions' series are told apart, for a previous-version baseline; null otherwise or after a rollback. */
    private static @Nullable Split split(Rule rule, Release release) {
        Baseline.Versions v = rule.measure().baseline().flatMap(Baseline::versions).orElse(null);
        if (v == null || release.state() == Release.State.ROLLED_BACK) {
            return null;
        }
        Map<String, String> values = release.templateValues();
        try {
            String newer = v.newer().render(values);
            String older = v.older().variables().stream().allMatch(values::containsKey) ? v.older().render(values) : null;
            return new Split(v.label(), newer, older);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Plain values over a window: whether {@code for} can count from where the data shows a breach began. */
    private static boolean plainValues(Rule rule) {
        return rule.judgement().test().isEmpty() && rule.measure().shape() instanceof Shape.Value;
    }

    private static String template(Rule rule, Map<String, String> values) {
        return expr(rule).render(values);
    }

    /** The expression: every rule without an SLO has one, and only those are observed here. */
    private static Template expr(Rule rule) {
        return Objects.requireNonNull(rule.measure().expr(), "a rule without slo has expr");
    }

    private static Map<String, String> withSince(Map<String, String> values, Duration since) {
        Map<String, String> out = new HashMap<>(values);
        out.put(Template.SINCE_RELEASE, Durations.format(since));
        return out;
    }
}
