package dev.watchdog.prometheus;

import dev.watchdog.core.Series;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A select rule's answer: its series by their values of the selected labels, each without them. The
 * keys are numbered once a tick for every answer indexed by the same labels (the releases judged
 * now, see {@link Answers.Wanted}); an answer keeps only its series in an array by that number, not
 * a map of its own. A fleet's tick holds tens of these answers at once, a series per release each:
 * a map entry and a list per series were most of what such a tick kept.
 */
public final class Indexed {

    /** Each key's place in {@link #series}: a tick's, shared; or this answer's own. */
    private final Map<List<String>, Integer> slots;
    /** Per slot: nothing, a {@link Series}, or a list of them (a key with more than one series). */
    private final List<@Nullable Object> series;
    /** Whether keys not in {@link #slots} are added as they come (no keys were wanted). */
    private final boolean open;

    private Indexed(Map<List<String>, Integer> slots, boolean open) {
        this.slots = slots;
        this.series = new ArrayList<>(Collections.nCopies(slots.size(), null));
        this.open = open;
    }

    /** An index for these numbered keys alone: a series with another key is not kept. */
    static Indexed of(Map<List<String>, Integer> slots) {
        return new Indexed(slots, false);
    }

    /** An index of every key the answer holds. */
    static Indexed open() {
        return new Indexed(new HashMap<>(), true);
    }

    /** The series with this key, in the answer's order; none if it has none. */
    public List<Series> get(List<String> key) {
        Integer at = slots.get(key);
        Object found = at == null ? null : series.get(at);
        if (found instanceof Series one) {
            return List.of(one);
        }
        @SuppressWarnings("unchecked")
        List<Series> many = (List<Series>) found;
        return many == null ? List.of() : many;
    }

    /** Whether a series with this key is kept: one of the wanted keys, or any if none were. */
    boolean keeps(List<String> key) {
        return open || slots.containsKey(key);
    }

    /** Keeps a series under its key (see {@link #keeps}). */
    void add(List<String> key, Series one) {
        Integer at = slots.get(key);
        if (at == null) {
            at = slots.size();
            slots.put(List.copyOf(key), at);
            series.add(null);
        }
        Object before = series.get(at);
        if (before == null) {
            series.set(at, one);
        } else if (before instanceof Series first) {
            List<Series> more = new ArrayList<>(2);
            more.add(first);
            more.add(one);
            series.set(at, more);
        } else {
            @SuppressWarnings("unchecked")
            List<Series> more = (List<Series>) before;
            more.add(one);
        }
    }
}
