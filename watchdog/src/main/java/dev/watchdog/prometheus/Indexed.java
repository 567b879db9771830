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

    /**
     * Where a series with this key is kept: its key's number, a new one if no keys were wanted; -1 if
     * it is not kept.
     */
    int slot(List<String> key) {
        Integer at = slots.get(key);
        if (at == null && open) {
            at = slots.size();
            slots.put(List.copyOf(key), at);
            series.add(null);
        }
        return at == null ? -1 : at;
    }

    /** Keeps a series in its key's {@link #slot}, after those already there. */
    void add(int slot, Series one) {
        Object before = series.get(slot);
        if (before == null) {
            series.set(slot, one);
        } else if (before instanceof Series first) {
            List<Series> more = new ArrayList<>(2);
            more.add(first);
            more.add(one);
            series.set(slot, more);
        } else {
            @SuppressWarnings("unchecked")
            List<Series> more = (List<Series>) before;
            more.add(one);
        }
    }
}
