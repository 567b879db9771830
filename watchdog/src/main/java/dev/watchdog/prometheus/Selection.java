package dev.watchdog.prometheus;

import dev.watchdog.core.Series;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The series of one release in the answer to a {@code select} rule's query: those whose labels
 * equal the selected values, shown without them. A missing label is the empty string, as in
 * Prometheus.
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
     * The series grouped by their values of {@code labels}, in that order: many releases' answers at
     * once. Each keeps only its other labels: the selected ones are the release's own, and a fleet's
     * answers are a lot of copies of them.
     */
    public static Map<List<String>, List<Series>> index(List<Series> series, List<String> labels) {
        Map<List<String>, List<Series>> out = new HashMap<>();
        for (Series s : series) {
            out.computeIfAbsent(key(s.labels(), labels), k -> new ArrayList<>(1)).add(without(s, labels));
        }
        return out;
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
