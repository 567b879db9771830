package dev.watchdog.prometheus;

import dev.watchdog.core.Series;
import dev.watchdog.rules.Template;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The series of one release in the answer to a {@code select} rule's query: those whose labels
 * equal the selected values, shown without them. A missing label is the empty string, as in
 * Prometheus. A tick's answers are indexed as they are read instead ({@link Answers#indexed}).
 */
public final class Selection {

    private Selection() {}

    /** What one release selects: the values its series must have for these labels, in the same order. */
    public record Selector(List<String> labels, List<String> values) {}

    /** The series that match, without the selected labels; linear, for one release (a replay, a rule test). */
    public static List<Series> filter(List<Series> series, Selector selector) {
        return series.stream().filter(s -> key(s.labels(), selector.labels()).equals(selector.values()))
                .map(s -> without(s, selector.labels())).toList();
    }

    /**
     * The query narrowed by Prometheus itself to the series of one release: for the range an onset is
     * read from, which would else hold every release's series at every step. Null if a value cannot
     * stand in a PromQL string (the range is then filtered here alone).
     */
    public static @Nullable String narrowed(String promql, Selector selector) {
        StringBuilder one = new StringBuilder("vector(1)");
        for (int i = 0; i < selector.labels().size(); i++) {
            String value = selector.values().get(i);
            if (!value.isEmpty() && Template.unsafeBecause(value) != null) {
                return null;
            }
            one.insert(0, "label_replace(").append(", \"").append(selector.labels().get(i)).append("\", \"").append(value)
                    .append("\", \"\", \"\")");
        }
        return "(" + promql + ") and on(" + String.join(", ", selector.labels()) + ") " + one;
    }

    private static Series without(Series s, List<String> labels) {
        if (labels.containsAll(s.labels().keySet())) {
            return new Series(Map.of(), s.value());
        }
        Map<String, String> rest = new HashMap<>(s.labels());
        labels.forEach(rest::remove);
        return new Series(rest, s.value());
    }

    /** The values of {@code labels} in {@code values}, in order, missing ones empty. */
    public static List<String> key(Map<String, String> values, List<String> labels) {
        List<String> key = new ArrayList<>(labels.size());
        labels.forEach(l -> key.add(values.getOrDefault(l, "")));
        return key;
    }
}
