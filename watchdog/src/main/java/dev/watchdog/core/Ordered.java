package dev.watchdog.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Immutable copies whose order is defined, for everything state, messages and effects are built
 * from. {@code Map.copyOf}, {@code Set.copyOf} and {@code Map.of} iterate in an order the JVM picks
 * anew at each start, so a page's breach list, a timeline event's data or a tie between rules could
 * read differently after a restart; these never do.
 */
public final class Ordered {

    private Ordered() {}

    /** Sorted by key: labels, event data, anything whose order means nothing. Null is empty. */
    public static <K extends Comparable<? super K>, V> Map<K, V> sorted(@Nullable Map<K, V> map) {
        return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(map));
    }

    /** In the order given: breaches in the order judged, observations in the rule files' order. Null is empty. */
    public static <K, V> Map<K, V> kept(@Nullable Map<K, V> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        if (map.size() == 1) {
            // One entry has one order: a small map (a rule's one baseline alternative, each tick of a fleet).
            Map.Entry<K, V> only = map.entrySet().iterator().next();
            return Collections.singletonMap(only.getKey(), only.getValue());
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** Sorted. Null is empty. */
    public static <T extends Comparable<? super T>> Set<T> sorted(@Nullable Set<T> set) {
        return set == null || set.isEmpty() ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(set));
    }
}
