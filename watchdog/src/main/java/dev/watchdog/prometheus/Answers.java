package dev.watchdog.prometheus;

import dev.watchdog.core.Series;
import dev.watchdog.http.Http;
import dev.watchdog.prometheus.QueryException.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An answer read into the shape its caller keeps: the series of an instant query, the same indexed
 * by the values of some labels (a {@code select} rule's answer), or a range's series by step.
 */
final class Answers {

    private Answers() {}

    /** The series of an instant query (a vector, or a scalar as one series without labels). */
    static List<Series> vector(Http.Response response) {
        List<Series> out = new ArrayList<>();
        instant(response, new InstantSink() {
            @Override
            public void sample(String[] names, String[] values, int size, double value) {
                out.add(new Series(labels(names, values, size, List.of()), value));
            }
        });
        return out;
    }

    /**
     * The keys the answers indexed by some labels keep (the releases judged now), numbered for
     * {@link Indexed}, and every value in them, found by the characters the parser holds.
     */
    record Wanted(Map<List<String>, Integer> slots, Interned values) {
        static Wanted of(Collection<List<String>> keys) {
            Map<List<String>, Integer> slots = new HashMap<>();
            Set<String> values = new HashSet<>();
            for (List<String> key : keys) {
                slots.putIfAbsent(key, slots.size());
                values.addAll(key);
            }
            return new Wanted(Collections.unmodifiableMap(slots), Interned.of(values));
        }
    }

    /**
     * The series of an instant query by their values of {@code labels} (missing ones empty), each
     * without those labels: a fleet's answer holds a copy of them per series. With {@code wanted},
     * only the series whose values are among its keys are kept: the releases this replica judges now.
     * A series with a selected value no wanted key has (another replica's service) is passed over
     * without a string made of it, and its value is not read.
     */
    static Indexed indexed(Http.Response response, List<String> labels, @Nullable Wanted wanted) {
        Indexed out = wanted == null ? Indexed.open() : Indexed.of(wanted.slots());
        String[] key = new String[labels.size()];
        List<String> found = Arrays.asList(key);
        instant(response, new InstantSink() {
            /** Whether the series being read has a selected value that no wanted key has. */
            private boolean unwanted;

            @Override
            public String value(String name, char[] text, int offset, int length) {
                if (unwanted) {
                    return "";
                }
                if (wanted == null || !labels.contains(name)) {
                    return new String(text, offset, length);
                }
                String known = wanted.values().find(text, offset, length);
                unwanted |= known == null;
                return known == null ? "" : known;
            }

            @Override
            public boolean wanted() {
                return !unwanted;
            }

            @Override
            public void sample(String[] names, String[] values, int size, double value) {
                if (unwanted) {
                    unwanted = false;
                    return;
                }
                Arrays.fill(key, "");
                for (int i = 0; i < size; i++) {
                    int at = labels.indexOf(names[i]);
                    if (at >= 0) {
                        key[at] = values[i];
                    }
                }
                int slot = out.slot(found);
                if (slot >= 0) {
                    out.add(slot, new Series(labels(names, values, size, labels), value));
                }
            }
        });
        return out;
    }

    /** Each step's series of a range query. */
    static Map<Instant, List<Series>> matrix(Http.Response response) {
        Map<Instant, List<Series>> out = new HashMap<>();
        String type = AnswerReader.read(response, new AnswerReader.Sink() {
            @Override
            public void sample(String[] names, String[] values, int size, double value) {
                // A vector for a range query: refused by its result type below.
            }

            @Override
            public void points(String[] names, String[] values, int size, double[] times, double[] points, int count) {
                Map<String, String> labels = labels(names, values, size, List.of());
                for (int i = 0; i < count; i++) {
                    Instant at = Instant.ofEpochMilli(Math.round(times[i] * 1000));
                    out.computeIfAbsent(at, k -> new ArrayList<>()).add(new Series(labels, points[i]));
                }
            }
        });
        if (!"matrix".equals(type)) {
            throw new QueryException(Kind.BAD_RESPONSE, null, "a range query returned a " + type, true);
        }
        return out;
    }

    /** An instant query's reading: anything but a vector or a scalar is refused by its result type. */
    private static void instant(Http.Response response, InstantSink sink) {
        String type = AnswerReader.read(response, sink);
        if (!type.equals("vector") && !type.equals("scalar")) {
            throw new QueryException(Kind.BAD_RESPONSE, null, "the query returned a " + type
                    + "; rules need an instant vector or a scalar", true);
        }
    }

    /** The labels of a series but those in {@code except}. */
    private static Map<String, String> labels(String[] names, String[] values, int size, List<String> except) {
        Map<String, String> out = null;
        for (int i = 0; i < size; i++) {
            if (!except.contains(names[i])) {
                out = out == null ? new HashMap<>(size * 2) : out;
                out.put(names[i], values[i]);
            }
        }
        return out == null ? Map.of() : out;
    }

    /** A sink for instant queries: a range's points are refused by the result type. */
    private abstract static class InstantSink implements AnswerReader.Sink {
        @Override
        public void points(String[] names, String[] values, int size, double[] times, double[] points, int count) {
            // A matrix for an instant query: refused by its result type.
        }
    }
}
