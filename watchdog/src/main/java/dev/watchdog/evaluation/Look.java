package dev.watchdog.evaluation;

import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.core.Units;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.Observation.Failed;
import dev.watchdog.judge.Observation.GuardNotMet;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.RuleState;
import dev.watchdog.judge.Sample;
import dev.watchdog.prometheus.Batch;
import dev.watchdog.prometheus.Indexed;
import dev.watchdog.prometheus.PartialData;
import dev.watchdog.prometheus.Query;
import dev.watchdog.prometheus.Selection;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Measure;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Shape;
import dev.watchdog.rules.Template;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One due rule of one release in a {@link Sweep}: where it stands in what it needs (guard, minimum
 * traffic, expression, baselines, onset), going as far as the answers in allow each time one comes.
 */
final class Look {

    private static final int AFTER = 0;
    private static final int GUARD = 1;
    private static final int TRAFFIC = 2;
    private static final int EXPR = 3;
    private static final int ONSET = 4;
    /** Where a shared answer's slots for offset baselines begin, after the stages'. */
    private static final int OFFSETS = 4;

    private final Sweep sweep;
    private final Batch batch;
    private final Instant now;
    final Target target;
    final Rule rule;
    final RuleState prev;
    private final Selection.@Nullable Selector selector;
    private final @Nullable RuntimeException broken;
    /** Whether the sweep reads this rule itself, or leaves it to {@link Observer}. */
    private final boolean swept;
    private int stage = AFTER;
    private @Nullable String query;
    private @Nullable String baselineQuery;

    Look(Sweep sweep, Target target, Rule rule, RuleState prev, Selection.@Nullable Selector selector,
         @Nullable RuntimeException broken, boolean swept) {
        this.sweep = sweep;
        this.batch = sweep.batch;
        this.now = sweep.now;
        this.target = target;
        this.rule = rule;
        this.prev = prev;
        this.selector = selector;
        this.broken = broken;
        this.swept = swept;
    }

    void advance() {
        Observation seen;
        try {
            seen = swept ? step() : observer();
        } catch (RuntimeException e) {
            seen = e instanceof PartialData ? new Observation.Partial(e.getMessage()) : new Failed(e.getMessage());
        }
        if (seen != null) {
            sweep.finish(this, seen);
        }
    }

    /** As far as the answers in allow: the observation, or null while waiting. */
    private @Nullable Observation step() {
        Release r = target.release;
        Measure m = rule.measure();
        if (stage == AFTER) {
            if (now.isBefore(r.startedAt().plus(rule.judgement().after()))) {
                return new Values(List.of());
            }
            if (broken != null) {
                throw broken;
            }
            stage = m.guard().isPresent() ? GUARD : m.minTraffic().isPresent() ? TRAFFIC : EXPR;
        }
        if (stage == GUARD) {
            Template guardTemplate = m.guard().orElseThrow();
            query = query != null ? query : guardTemplate.render(target.values());
            List<Series> guard = series(GUARD, guardTemplate.variables().isEmpty(), query, now);
            if (guard == null) {
                return null;
            }
            if (guard.stream().allMatch(s -> Double.isNaN(s.value()))) {
                return new GuardNotMet("guard not met");
            }
            query = null;
            stage = m.minTraffic().isPresent() ? TRAFFIC : EXPR;
        }
        if (stage == TRAFFIC) {
            Measure.MinTraffic min = m.minTraffic().orElseThrow();
            query = query != null ? query : min.expr().render(target.values());
            List<Series> traffic = series(TRAFFIC, min.expr().variables().isEmpty(), query, now);
            if (traffic == null) {
                return null;
            }
            double sum = sum(traffic);
            if (Double.isNaN(sum) || sum < min.atLeast()) {
                return new GuardNotMet("traffic " + (Double.isNaN(sum) ? "none" : Units.number(sum))
                        + " below the minimum " + Units.number(min.atLeast()));
            }
            query = null;
            stage = EXPR;
        }
        return stage == EXPR ? expr() : null;
    }

    private @Nullable Observation expr() {
        Release r = target.release;
        Template expr = Objects.requireNonNull(rule.measure().expr());
        if (query == null) {
            query = expr.render(target.values());
        }
        String q = query;
        List<Series> current = series(EXPR, expr.variables().isEmpty(), q, now);
        if (current == null) {
            return null;
        }
        Map<String, List<Sample>> references = references(q, r);
        if (references == null) {
            return null;
        }
        Values values = new Values(Sample.of(current), references, null, null, Map.of());
        if (!(rule.measure().shape() instanceof Shape.Value) || !Onset.mayNeed(rule, prev)) {
            return values;
        }
        Instant from = r.startedAt().plus(rule.judgement().after());
        Future<Observation> onset = Onset.of(rule, q, values, prev, range(), now, from);
        if (onset.isComplete()) {
            return onset.succeeded() ? onset.result() : values;
        }
        stage = ONSET;
        onset.onComplete(ar -> sweep.finish(this, ar.succeeded() ? ar.result() : values));
        return null;
    }

    /**
     * Each baseline alternative's samples by its text, in the rule's order (as References gives
     * them), or null while one is awaited (the look then starts this over when it comes): offsets
     * move with {@code now}; a before-release baseline is queried once and then kept with the release.
     */
    private @Nullable Map<String, List<Sample>> references(String q, Release r) {
        Baseline baseline = rule.measure().baseline().orElse(null);
        if (baseline == null) {
            return Map.of();
        }
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        int slot = OFFSETS;
        for (Baseline.Reference a : baseline.alternatives()) {
            if (a instanceof Baseline.Offsets o) {
                List<Sample> samples = new ArrayList<>(o.offsets().size());
                for (Duration d : o.offsets()) {
                    List<Series> day = series(slot++, sameExpr(), q, now.minus(d));
                    if (day == null) {
                        return null;
                    }
                    samples.add(Sample.of(day));
                }
                out.put(a.text(), samples);
            } else if (a instanceof Baseline.BeforeRelease b) {
                Sample then = beforeRelease(b, q, r);
                if (then == null) {
                    return null;
                }
                out.put(a.text(), List.of(then));
            }
        }
        return out;
    }

    private boolean sameExpr() {
        return Objects.requireNonNull(rule.measure().expr()).variables().isEmpty();
    }

    /** Asked once and kept: the expression at the release's start, or averaged over the span before it. */
    private @Nullable Sample beforeRelease(Baseline.BeforeRelease b, String q, Release r) {
        if (prev.baselines() != null) {
            return new Sample(prev.baselines(), prev.kept() == null ? null : prev.kept().totals());
        }
        if (b.span().isZero()) {
            List<Series> then = series(-1, false, q, r.startedAt());
            return then == null ? null : Sample.of(then);
        }
        if (baselineQuery == null) {
            String averaged = new Baseline(List.of(b), b.text()).averaged(q,
                    rule.measure().interval().orElse(Duration.ofMinutes(1)));
            baselineQuery = averaged == null ? q : averaged;
        }
        List<Series> then = series(-1, false, baselineQuery, r.startedAt());
        return then == null ? null : Sample.of(then);
    }

    /**
     * A rule the sweep leaves to {@link Observer} (see {@link #swept}): an SLO's burn rates, a
     * ratio's totals, a test's minutes, a previous version's series, counts since the release. It
     * asks the same batch, a future per query; at registration, select queries narrowed too.
     */
    private @Nullable Observation observer() {
        Future<Observation> seen = Observer.observe(rule, target.release, prev, sweep.narrow ? narrowing() : batch, now);
        if (seen.isComplete()) {
            return seen.result();
        }
        stage = ONSET;
        seen.onComplete(ar -> sweep.finish(this, ar.succeeded() ? ar.result() : new Failed(ar.cause().getMessage())));
        return null;
    }

    /**
     * The release's series of an answer (a select rule's from the answer's index), or null while it
     * is awaited. {@code same}: the query reads the same for every release, so its answer is
     * shared by what it answers ({@code slot}).
     */
    @SuppressWarnings("unchecked")
    private @Nullable List<Series> series(int slot, boolean same, String promql, Instant at) {
        Future<?> answer;
        if (same) {
            Future<?>[] slots = sweep.shared.computeIfAbsent(rule, r -> new Future<?>[OFFSETS + offsets(r)]);
            if (slots[slot] == null) {
                slots[slot] = ask(promql, at);
            }
            answer = slots[slot];
        } else {
            answer = ask(promql, at);
        }
        Object result = sweep.ready(answer, this);
        if (result == null || selector == null) {
            return (List<Series>) result;
        }
        return ((Indexed) result).get(selector.values());
    }

    private Future<?> ask(String promql, Instant at) {
        if (selector == null) {
            return batch.query(promql, at);
        }
        String narrowed = sweep.narrow ? Selection.narrowed(promql, selector) : null;
        return batch.indexed(narrowed != null ? narrowed : promql, at, selector.labels());
    }

    /** The range an onset is read from: a select rule's, only the release's series. */
    private Query range() {
        Selection.Selector s = selector;
        if (s == null) {
            return batch;
        }
        return new Query() {
            @Override
            public Future<List<Series>> at(String promql, Instant time) {
                return batch.selected(promql, time, s);
            }

            @Override
            public Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
                String narrowed = Selection.narrowed(promql, s);
                return batch.range(narrowed != null ? narrowed : promql, start, end, step).map(steps -> {
                    Map<Instant, List<Series>> mine = new LinkedHashMap<>();
                    steps.forEach((t, series) -> mine.put(t, Selection.filter(series, s)));
                    return mine;
                });
            }
        };
    }

    /** Whether the sweep reads a rule itself: a plain value or quantile, offsets or before-release, no test. */
    static boolean swept(Rule rule) {
        Measure m = rule.measure();
        boolean shape = m.shape() instanceof Shape.Value || m.shape() instanceof Shape.Quantile;
        boolean baselines = m.baseline().map(b -> b.alternatives().stream().noneMatch(Baseline.PreviousVersion.class::isInstance))
                .orElse(true);
        return m.slo().isEmpty() && m.expr() != null && shape && baselines && rule.judgement().test().isEmpty()
                && rule.templates().stream().noneMatch(t -> t.variables().contains(Template.SINCE_RELEASE));
    }

    /** How many offsets a rule's baseline alternatives name in all: each its own shared answer. */
    private static int offsets(Rule rule) {
        return rule.measure().baseline().map(b -> b.alternatives().stream()
                .mapToInt(a -> a instanceof Baseline.Offsets o ? o.offsets().size() : 0).sum()).orElse(0);
    }

    /** The batch, a select rule's queries narrowed by Prometheus to the release's series (a registration's look). */
    private Query narrowing() {
        return new Query() {
            @Override
            public Future<List<Series>> at(String promql, Instant time) {
                return batch.at(promql, time);
            }

            @Override
            public Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
                return batch.range(promql, start, end, step);
            }

            @Override
            public Future<List<Series>> selected(String promql, Instant time, Selection.Selector selector) {
                String narrowed = Selection.narrowed(promql, selector);
                return batch.selected(narrowed != null ? narrowed : promql, time, selector);
            }
        };
    }

    private static double sum(List<Series> series) {
        double sum = Double.NaN;
        for (Series s : series) {
            if (!Double.isNaN(s.value())) {
                sum = Double.isNaN(sum) ? s.value() : sum + s.value();
            }
        }
        return sum;
    }
}
