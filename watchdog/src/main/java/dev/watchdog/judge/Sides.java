package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Shape;
import dev.watchdog.stats.Histogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A sample read by a rule's shape, group by group: the series of one group are those with the same
 * labels once {@code le} (a histogram's bucket) and the versions' label are set aside. A count sums its
 * series; a ratio sums its events and its totals (a group with a total and no events has none); a
 * histogram adds up its buckets of the same bound. Groups come in the order of their labels.
 */
final class Sides {

    static final String LE = "le";

    private Sides() {}

    /**
     * Each group's side, from the series {@code which} keeps; {@code aside} (the versions' label, or null)
     * is left out of the groups, so that versions are added together.
     */
    static Map<Map<String, String>, Side> of(Rule rule, Sample sample, @Nullable String aside, Predicate<Series> which) {
        Shape shape = rule.measure().shape();
        if (shape instanceof Shape.Quantile q) {
            return histograms(sample.series(), aside, which, q.q());
        }
        Map<Map<String, String>, Double> counts = sums(sample.series(), aside, which);
        Map<Map<String, String>, Side> out = new LinkedHashMap<>();
        if (shape instanceof Shape.Ratio) {
            Map<Map<String, String>, Double> totals = sums(sample.totals() == null ? List.of() : sample.totals(), aside, which);
            totals.forEach((key, total) -> out.put(key, new Side.Ratio(counts.getOrDefault(key, 0.0), total)));
        } else {
            counts.forEach((key, count) -> out.put(key, new Side.Count(count)));
        }
        return out;
    }

    /** Every group, versions added together. */
    static Map<Map<String, String>, Side> of(Rule rule, Sample sample, @Nullable String aside) {
        return of(rule, sample, aside, s -> true);
    }

    /** The series whose {@code label} is {@code value}. */
    static Predicate<Series> having(String label, String value) {
        return s -> value.equals(s.labels().get(label));
    }

    private static Map<Map<String, String>, Double> sums(List<Series> series, @Nullable String aside, Predicate<Series> which) {
        Map<Map<String, String>, Double> out = new TreeMap<>(Sides::compare);
        for (Series s : series) {
            if (which.test(s) && !Double.isNaN(s.value())) {
                out.merge(key(s, aside), Math.max(0, s.value()), Double::sum);
            }
        }
        return out;
    }

    private static Map<Map<String, String>, Side> histograms(List<Series> series, @Nullable String aside,
                                                           Predicate<Series> which, double q) {
        Map<Map<String, String>, List<Histogram.Bucket>> buckets = new TreeMap<>(Sides::compare);
        for (Series s : series) {
            String le = s.labels().get(LE);
            Double bound = le == null ? null : bound(le);
            if (which.test(s) && bound != null && !Double.isNaN(s.value())) {
                buckets.computeIfAbsent(key(s, aside), k -> new ArrayList<>())
                        .add(new Histogram.Bucket(bound, Math.max(0, s.value())));
            }
        }
        Map<Map<String, String>, Side> out = new LinkedHashMap<>();
        buckets.forEach((key, list) -> {
            if (list.stream().anyMatch(b -> b.le() == Double.POSITIVE_INFINITY) && list.size() >= 2) {
                out.put(key, new Side.Distribution(Histogram.of(list), q));
            }
        });
        return out;
    }

    private static @Nullable Double bound(String le) {
        if (le.equals("+Inf") || le.equals("Inf")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            double v = Double.parseDouble(le);
            return Double.isNaN(v) ? null : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The labels that name a group: all but {@code le} and {@code aside}, in order. */
    static Map<String, String> key(Series s, @Nullable String aside) {
        Map<String, String> key = new TreeMap<>(s.labels());
        key.remove(LE);
        if (aside != null) {
            key.remove(aside);
        }
        return key;
    }

    private static int compare(Map<String, String> a, Map<String, String> b) {
        return a.toString().compareTo(b.toString());
    }
}
