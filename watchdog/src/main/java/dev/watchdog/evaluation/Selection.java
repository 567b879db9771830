package dev.watchdog.evaluation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The series of one release in the answer to a {@code select} rule's query: those whose labels
 * equal the selected values. A missing label is the empty string, as in Prometheus.
 */
public final class Selection {

    private Selection() {}

    /** The series that match; linear, for one release (a replay, a rule test). */
    public static List<Series> filter(List<Series> series, Map<String, String> selected) {
        return series.stream().filter(s -> selected.entrySet().stream()
                .allMatch(e -> e.getValue().equals(s.labels().getOrDefault(e.getKey(), "")))).toList();
    }

    /** The series grouped by their values of {@code labels}, in that order: many releases' answers at once. */
    public static Map<List<String>, List<Series>> index(List<Series> series, List<String> labels) {
        Map<List<String>, List<Series>> out = new HashMap<>();
        for (Series s : series) {
            out.computeIfAbsent(key(s.labels(), labels), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    /** The values of {@code labels} in {@code values}, in order, missing ones empty. */
    public static List<String> key(Map<String, String> values, List<String> labels) {
        List<String> key = new ArrayList<>(labels.size());
        labels.forEach(l -> key.add(values.getOrDefault(l, "")));
        return key;
    }
}
