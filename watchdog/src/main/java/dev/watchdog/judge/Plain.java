package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Shape;
import dev.watchdog.stats.Median;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A rule without a test: each series's value against its thresholds, relative ones against its
 * baseline. The value is the series itself, or the ratio or quantile its shape reads. The baseline
 * comes from the first alternative that has data: the previous version's series of the same labels,
 * the median of the offsets' values of the same labels, or the before-release value. Pure. Loops
 * rather than streams here: every rule of every release of a fleet is read through this each tick.
 */
final class Plain {

    private Plain() {}

    static List<Reading> readings(Rule rule, Values v) {
        Function<Series, Double> baseline = baselines(rule, v);
        List<Reading> out = new ArrayList<>();
        for (Series s : current(rule, v)) {
            Double b = baseline.apply(s);
            Severity severity = Judge.severity(rule, s.value(), b);
            out.add(new Reading(s, b, severity, severity == null ? "no baseline to compare with (no data, or zero)" : null,
                    null));
        }
        return out;
    }

    /** The release's series as the rule reads them: the new version's where versions are told apart. */
    static List<Series> current(Rule rule, Values v) {
        Split split = v.split();
        String aside = aside(rule);
        if (split != null && v.now().series().stream().anyMatch(Sides.having(split.label(), split.newer()))) {
            return values(rule, v.now(), aside, Sides.having(split.label(), split.newer()));
        }
        return values(rule, v.now(), aside, Plain::all);
    }

    /** Each series's baseline: from the first of the rule's alternatives that has data; null for none. */
    static Function<Series, Double> baselines(Rule rule, Values v) {
        List<Baseline.Reference> alternatives = rule.measure().baseline().map(Baseline::alternatives).orElse(List.of());
        String aside = aside(rule);
        for (Baseline.Reference a : alternatives) {
            if (a instanceof Baseline.PreviousVersion) {
                Split split = v.split();
                List<Series> old = split == null || split.older() == null ? List.of()
                        : values(rule, v.now(), aside, Sides.having(split.label(), split.older()));
                if (!old.isEmpty()) {
                    return s -> baselineOf(s, old);
                }
                continue;
            }
            List<Sample> samples = v.references().getOrDefault(a.text(), List.of());
            List<List<Series>> each = new ArrayList<>(samples.size());
            boolean any = false;
            for (Sample sample : samples) {
                List<Series> list = values(rule, sample, aside, Plain::all);
                each.add(list);
                any |= !list.isEmpty();
            }
            if (any) {
                // One sample (a single offset, before-release): its value is its own median.
                return each.size() == 1 ? s -> baselineOf(s, each.get(0)) : s -> median(s, each);
            }
        }
        return s -> null;
    }

    /** The label set aside to add versions together, or null when the rule does not tell versions apart. */
    static @Nullable String aside(Rule rule) {
        return rule.measure().baseline().flatMap(Baseline::versions).map(Baseline.Versions::label).orElse(null);
    }

    /**
     * The series {@code which} keeps, read by the rule's shape, without the label {@code aside}: as they
     * are for plain values, one per group for ratios and quantiles.
     */
    static List<Series> values(Rule rule, Sample sample, @Nullable String aside, Predicate<Series> which) {
        if (rule.measure().shape() instanceof Shape.Value) {
            List<Series> out = new ArrayList<>(sample.series().size());
            for (Series s : sample.series()) {
                if (which.test(s) && !Double.isNaN(s.value())) {
                    out.add(aside == null ? s : new Series(Sides.key(s, aside), s.value()));
                }
            }
            return out;
        }
        List<Series> out = new ArrayList<>();
        for (Map.Entry<Map<String, String>, Side> e : Sides.of(rule, sample, aside, which).entrySet()) {
            double value = e.getValue().value();
            if (!Double.isNaN(value)) {
                out.add(new Series(e.getKey(), value));
            }
        }
        return out;
    }

    /** Every series kept. */
    private static boolean all(Series s) {
        return true;
    }

    /** The median of a series's baselines in each list (those with none left out); null when none has one. */
    private static @Nullable Double median(Series series, List<List<Series>> each) {
        double[] values = new double[each.size()];
        for (int i = 0; i < values.length; i++) {
            Double b = baselineOf(series, each.get(i));
            values[i] = b == null ? Double.NaN : b;
        }
        double m = Median.of(values);
        return Double.isNaN(m) ? null : m;
    }

    /** The baseline series with the same labels; a lone baseline series (an aggregate) serves every series. */
    static @Nullable Double baselineOf(Series series, List<Series> baselines) {
        Series lone = null;
        int usable = 0;
        for (Series b : baselines) {
            if (Double.isNaN(b.value())) {
                continue;
            }
            if (b.labels().equals(series.labels())) {
                return b.value();
            }
            lone = b;
            usable++;
        }
        return usable == 1 && lone != null ? lone.value() : null;
    }
}
