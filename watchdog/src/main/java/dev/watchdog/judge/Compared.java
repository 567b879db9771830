package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.core.Units;
import dev.watchdog.rules.Judgement;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Shape;
import dev.watchdog.rules.Threshold;
import dev.watchdog.stats.Direction;
import dev.watchdog.stats.Rate;
import dev.watchdog.stats.Rates;
import dev.watchdog.stats.Shift;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One group of a statistical rule: the release's side against its reference. A relative threshold
 * X ({@code "> +10%"}) breaches when the estimated change is past {@link #GATE} of X (+5 %) <em>and</em>
 * the anytime-valid test rules out a change of at most {@link #MARGIN} of X (+2.5 %) at the rule's
 * significance. So a real change of X is paged as soon as the counts can show it (a +10 % p95 at 40
 * requests/s within 20 minutes), a change of a quarter of X or less is paged with chance at most the
 * significance over the whole watch, and one between may be: simulations chose the two fractions
 * (docs/rules.md, "How the threshold and the test combine"). A breach counted is held while the test
 * still shows the change past the margin, so that it does not flap while the estimate wanders about
 * the gate. Absolute thresholds compare the release's value as always. Counts are divided by their
 * dispersion first (see {@link dev.watchdog.stats.Dispersion}). Pure.
 */
final class Compared {

    /** The share of a relative threshold the estimate must pass. */
    static final double GATE = 0.5;
    /** The share of a relative threshold the test must rule out. */
    static final double MARGIN = 0.25;

    private Compared() {}

    /** What one side against its reference reads at; {@code against} names the reference for people. */
    static Reading read(Rule rule, Series series, Side now, Side ref, String against, @Nullable Double share,
                        double dispersion, Severity held) {
        Judgement.Test test = rule.judgement().test().orElseThrow();
        double value = now.value();
        double base = ref.value();
        if (!(base > 0) || Double.isNaN(value)) {
            return Reading.unsure(series, Double.isNaN(base) ? null : base, "no baseline to compare with (no data, or zero)", null);
        }
        List<Verdict> verdicts = new ArrayList<>();
        verdict(Severity.P0, rule.judgement().p0(), now, ref, dispersion, test, held).ifPresent(verdicts::add);
        verdict(Severity.P1, rule.judgement().p1(), now, ref, dispersion, test, held).ifPresent(verdicts::add);
        Evidence shown = verdicts.stream().filter(v -> v.evidence() != null && v.breach()).findFirst()
                .or(() -> verdicts.stream().filter(v -> v.evidence() != null).reduce((a, b) -> b))
                .map(v -> evidence(v, now, ref, against, share, dispersion)).orElse(null);
        if (Math.min(now.exposure(), ref.exposure()) / dispersion < test.minSample()) {
            String weighed = dispersion > 1 ? ", counts divided by their dispersion " + Units.number(dispersion) : "";
            return Reading.unsure(series, base, "too little to compare: " + Units.number(now.exposure() / dispersion) + " and "
                    + Units.number(ref.exposure() / dispersion) + " (at least " + Units.number(test.minSample()) + " each"
                    + weighed + ")", shown);
        }
        Optional<Verdict> breach = verdicts.stream().filter(Verdict::breach).findFirst();
        if (breach.isPresent()) {
            return new Reading(series, base, breach.get().severity(), null, shown);
        }
        for (Verdict v : verdicts) {
            if (v.why() != null) {
                return Reading.unsure(series, base, v.why(), shown);
            }
        }
        return new Reading(series, base, Severity.NONE, null, shown);
    }

    /** What one threshold says: a breach, health (both without why), or not sure (why); tested at margin. */
    private record Verdict(Severity severity, boolean breach, @Nullable String why,
                           dev.watchdog.stats.@Nullable Evidence evidence, double margin) {}

    private static Optional<Verdict> verdict(Severity severity, Optional<Threshold> threshold, Side now, Side ref,
                                             double dispersion, Judgement.Test test, Severity held) {
        if (threshold.isEmpty()) {
            return Optional.empty();
        }
        Threshold t = threshold.get();
        if (!t.relative()) {
            return Optional.of(new Verdict(severity, t.breachedBy(now.value()), null, null, 0));
        }
        Direction direction = t.direction() < 0 ? Direction.FEWER : Direction.MORE;
        double margin = t.value() / 100 * MARGIN;
        double gate = t.value() / 100 * GATE;
        dev.watchdog.stats.Evidence ev = test(now, ref, direction, margin, test.significance(), dispersion);
        double change = now.value() / ref.value() - 1;
        boolean past = direction == Direction.MORE ? change > gate : change < gate;
        if (past && ev.rejects()) {
            return Optional.of(new Verdict(severity, true, null, ev, margin));
        }
        if (ev.rejects() && held.compareTo(severity) >= 0) {
            return Optional.of(new Verdict(severity, false, "a change of " + Evidence.percent(change) + " is still shown past "
                    + Evidence.percent(margin) + ": the breach of " + t.text().trim() + " is held", ev, margin));
        }
        if (past) {
            return Optional.of(new Verdict(severity, false, "a change of " + Evidence.percent(change) + " is within chance "
                    + "at significance " + Units.number(test.significance()) + " (it must be shown past "
                    + Evidence.percent(margin) + ")", ev, margin));
        }
        return Optional.of(new Verdict(severity, false, null, ev, margin));
    }

    /** The test of "the change is at most (MORE) or at least (FEWER) margin", counts divided by their dispersion. */
    static dev.watchdog.stats.Evidence test(Side now, Side ref, Direction direction, double margin, double alpha,
                                            double dispersion) {
        if (now instanceof Side.Distribution n && ref instanceof Side.Distribution r) {
            return Shift.against(r.histogram().divided(dispersion), r.q(), direction, margin, alpha)
                    .test(n.histogram().divided(dispersion));
        }
        if (now instanceof Side.Ratio n && ref instanceof Side.Ratio r) {
            return Rates.test(new Rate(n.events() / dispersion, n.total()), new Rate(r.events() / dispersion, r.total()),
                    direction, margin, alpha);
        }
        return Rates.test(new Rate(now.exposure() / dispersion, 1), new Rate(ref.exposure() / dispersion, 1),
                direction, margin, alpha);
    }

    private static Evidence evidence(Verdict v, Side now, Side ref, String against, @Nullable Double share,
                                     double dispersion) {
        dev.watchdog.stats.Evidence ev = Objects.requireNonNull(v.evidence(), "only a verdict with evidence is shown");
        String quantity = now instanceof Side.Distribution d ? quantile(d.q()) : now instanceof Side.Ratio ? "ratio" : "count";
        Double events = now instanceof Side.Ratio n ? n.events() : null;
        Double referenceEvents = ref instanceof Side.Ratio r ? r.events() : null;
        return new Evidence(quantity, now.value() / ref.value() - 1, finite(ev.interval().lower()),
                finite(ev.interval().upper()), against, now.exposure(), ref.exposure(), events, referenceEvents, share,
                dispersion, v.margin(), finiteOr(ev.eValue()), ev.alpha(), ev.rejects());
    }

    /** "p95", "p99.9". */
    static String quantile(double q) {
        return new Shape.Quantile(q).label();
    }

    private static @Nullable Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double finiteOr(double v) {
        return Double.isFinite(v) ? v : Double.MAX_VALUE;
    }
}
