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
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A rule without a test: each series's value against its thresholds, relative ones against its
 * baseline. The value is the series itself, or the ratio or quantile its shape reads. The baseline
 * comes from the first alternative that has data: the previous version's series of the same labels,
 * the median of the offsets' values of the same labels, or the before-release value. Pure.
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
        return values(rule, v.now(), aside, s -> true);
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
            List<List<Series>> each = v.references().getOrDefault(a.text(), List.of()).stream()
                    .map(sample -> values(rule, sample, aside, x -> true)).toList();
            if (each.stream().anyMatch(list -> !list.isEmpty())) {
                return s -> median(each.stream().map(list -> baselineOf(s, list)).toList());
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
            return sample.series().stream().filter(which).filter(s -> !Double.isNaN(s.value()))
                    .map(s -> aside == null ? s : new Series(Sides.key(s, aside), s.value())).toList();
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

    private static @Nullable Double median(List<Double> values) {
        double m = Median.of(values.stream().mapToDouble(d -> d == null ? Double.NaN : d).toArray());
        return Double.isNaN(m) ? null : m;
    }

    /** The baseline series with the same labels; a lone baseline series (an aggregate) serves every series. */
    static @Nullable Double baselineOf(Series series, List<Series> baselines) {
        List<Series> usable = baselines.stream().filter(b -> !Double.isNaN(b.value())).toList();
        return usable.stream().filter(b -> b.labels().equals(series.labels())).findFirst()
                .or(() -> usable.size() == 1 ? Optional.of(usable.get(0)) : Optional.empty())
                .map(Series::value).orElse(null);
    }
}
