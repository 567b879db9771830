package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.stats.Dispersion;
import dev.watchdog.stats.Histogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a release keeps of a rule for its whole watch: the before-release baseline, asked once, and
 * for a rule with a test what the minutes before the release tell, learnt once: the dispersion of its
 * counts, and each reference day's level against today's. Pure.
 */
final class Kept {

    private Kept() {}

    /** {@code prev} with what {@code v} brought to keep: a before-release baseline, the minutes before the release. */
    static RuleState keep(Rule rule, RuleState prev, Values v) {
        List<Series> baselines = prev.baselines();
        RuleState.Kept kept = prev.kept();
        String before = rule.measure().baseline().flatMap(Baseline::beforeRelease).map(Baseline.Reference::text)
                .orElse(null);
        List<Sample> fresh = before == null ? null : v.references().get(before);
        if (fresh != null && !fresh.isEmpty() && baselines == null) {
            baselines = fresh.get(0).series();
            kept = new RuleState.Kept(fresh.get(0).totals(), kept == null ? null : kept.dispersion(),
                    kept == null ? null : kept.levels());
        }
        if (v.minutes() != null && (kept == null || kept.dispersion() == null)) {
            kept = new RuleState.Kept(kept == null ? null : kept.totals(), measure(rule, v.minutes()),
                    levels(rule, v.minutes()));
        }
        if (Objects.equals(baselines, prev.baselines()) && Objects.equals(kept, prev.kept())) {
            return prev;
        }
        return new RuleState(prev.rule(), prev.outcome(), prev.level(), prev.value(), prev.baseline(), prev.series(),
                baselines, prev.message(), prev.since(), prev.evaluatedAt(), prev.p1Since(), prev.p0Since(),
                prev.healthySince(), prev.judgedAt(), prev.evidence(), kept);
    }

    /** {@code v} with the kept before-release baseline, where it did not bring one itself. */
    static Values withKept(Rule rule, RuleState kept, Values v) {
        String before = rule.measure().baseline().flatMap(Baseline::beforeRelease).map(Baseline.Reference::text)
                .orElse(null);
        if (before == null || kept.baselines() == null || v.references().containsKey(before)) {
            return v;
        }
        Map<String, List<Sample>> references = new java.util.LinkedHashMap<>(v.references());
        references.put(before, List.of(new Sample(kept.baselines(), kept.kept() == null ? null : kept.kept().totals())));
        return new Values(v.now(), references, v.split(), v.minutes(), v.onset());
    }

    /** The dispersion a rule's test divides its counts by: at least 1, and 1 when it could not be learnt. */
    static double dispersion(RuleState state) {
        Double d = state.kept() == null ? null : state.kept().dispersion();
        return d == null ? 1 : d;
    }

    /**
     * How much more the counts varied from minute to minute before the release than independent events
     * would: for a histogram, the share above its pooled quantile; for a ratio, the share of events; for
     * a count, the count. The largest over the groups; at least 1.
     */
    static double measure(Rule rule, List<List<Sample>> spans) {
        String aside = Plain.aside(rule);
        Map<Map<String, String>, List<@Nullable Side>> byGroup = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (List<Sample> span : spans) {
            for (Sample minute : span) {
                Map<Map<String, String>, Side> sides = Sides.of(rule, minute, aside);
                sides.keySet().forEach(k -> byGroup.computeIfAbsent(k, x -> new ArrayList<>()));
                byGroup.forEach((key, list) -> list.add(sides.get(key)));
            }
            byGroup.values().forEach(list -> list.add(null)); // differences are taken within a span
        }
        double worst = 1;
        for (List<Side> sides : byGroup.values()) {
            double d = group(sides);
            if (d > worst) {
                worst = d;
            }
        }
        return worst;
    }

    /**
     * Each reference day's level against today's: the rule's value over today's hours before the
     * release against the same hours on the day (the first minutes of its span, as many as today's),
     * minute for minute where both have data, all the release's series together (one level for the
     * day). A day whose level cannot be told (no data, zero) is left out.
     */
    static Map<String, RuleState.Level> levels(Rule rule, List<List<Sample>> spans) {
        List<Duration> offsets = rule.measure().baseline().map(Baseline::offsets).orElse(List.of());
        Map<String, RuleState.Level> out = new TreeMap<>();
        if (spans.size() != offsets.size() + 1) {
            return out;
        }
        List<Sample> hours = spans.get(0);
        for (int i = 0; i < offsets.size(); i++) {
            List<Sample> span = spans.get(i + 1);
            List<Sample> mine = new ArrayList<>();
            List<Sample> theirs = new ArrayList<>();
            for (int m = 0; m < Math.min(hours.size(), span.size()); m++) {
                if (!hours.get(m).series().isEmpty() && !span.get(m).series().isEmpty()) {
                    mine.add(hours.get(m));
                    theirs.add(span.get(m));
                }
            }
            Side today = together(rule, mine);
            Side day = together(rule, theirs);
            double change = today == null || day == null ? Double.NaN : Math.log(today.value() / day.value());
            double variance = today == null || day == null ? Double.NaN : today.logVariance() + day.logVariance();
            if (Double.isFinite(change) && Double.isFinite(variance)) {
                out.put(Baseline.days(offsets.get(i)), new RuleState.Level(change, variance));
            }
        }
        return out;
    }

    /** The rule's side over some minutes, all series together (their labels but a bucket's bound set aside); null without data. */
    private static @Nullable Side together(Rule rule, List<Sample> minutes) {
        List<Series> series = new ArrayList<>();
        List<Series> totals = new ArrayList<>();
        for (Sample m : minutes) {
            m.series().forEach(s -> series.add(bare(s)));
            if (m.totals() != null) {
                m.totals().forEach(s -> totals.add(bare(s)));
            }
        }
        Map<Map<String, String>, Side> sides = Sides.of(rule, new Sample(series, totals), null);
        return sides.isEmpty() ? null : sides.values().iterator().next();
    }

    private static Series bare(Series s) {
        String le = s.labels().get(Sides.LE);
        return new Series(le == null ? Map.of() : Map.of(Sides.LE, le), s.value());
    }

    /** One group's dispersion over its minutes (a minute without data is null); NaN when it cannot be told. */
    private static double group(List<@Nullable Side> minutes) {
        int n = minutes.size();
        double[] k = new double[n];
        double[] of = new double[n];
        Side any = minutes.stream().filter(s -> s != null).findFirst().orElse(null);
        if (any == null) {
            return Double.NaN;
        }
        Histogram pooled = any instanceof Side.Distribution ? pooled(minutes) : null;
        for (int i = 0; i < n; i++) {
            Side s = minutes.get(i);
            k[i] = Double.NaN;
            of[i] = -1;
            if (s instanceof Side.Distribution d && pooled != null) {
                k[i] = d.histogram().above(pooled.quantile(d.q()));
                of[i] = d.histogram().total();
            } else if (s instanceof Side.Ratio r) {
                k[i] = r.events();
                of[i] = r.total();
            } else if (s instanceof Side.Count c) {
                of[i] = c.count();
            }
        }
        return any instanceof Side.Count ? Dispersion.poisson(of) : Dispersion.binomial(k, of);
    }

    private static @Nullable Histogram pooled(List<@Nullable Side> minutes) {
        Map<Double, Double> sums = new TreeMap<>();
        for (Side s : minutes) {
            if (s instanceof Side.Distribution d) {
                d.histogram().buckets().forEach(b -> sums.merge(b.le(), b.count(), Double::sum));
            }
        }
        List<Histogram.Bucket> buckets = new ArrayList<>();
        sums.forEach((le, count) -> buckets.add(new Histogram.Bucket(le, count)));
        return buckets.isEmpty() ? null : Histogram.of(buckets);
    }
}
