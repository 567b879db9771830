package dev.watchdog.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A short memory of signed requests already taken (a signature, an update's or an event's id), so
 * that one sent again within its window changes nothing. Bounded: the oldest are forgotten first.
 * Used from one event-loop context.
 */
final class Replays {

    private final Clock clock;
    private final Duration keep;
    private final int max;
    private final Map<String, Instant> seen = new LinkedHashMap<>();

    Replays(Clock clock, Duration keep, int max) {
        this.clock = clock;
        this.keep = keep;
        this.max = max;
    }

    /** True the first time {@code key} is seen within the window; false for a replay. */
    boolean first(String key) {
        Instant now = clock.instant();
        forgetOld(now);
        if (seen.containsKey(key)) {
            return false;
        }
        seen.put(key, now.plus(keep));
        if (seen.size() > max) {
            Iterator<String> oldest = seen.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    private void forgetOld(Instant now) {
        Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
        while (it.hasNext() && !it.next().getValue().isAfter(now)) {
            it.remove();
        }
    }
}
