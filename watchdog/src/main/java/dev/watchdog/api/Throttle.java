package dev.watchdog.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Refused bearer tokens counted per client address: after {@link #LIMIT} in a {@link #WINDOW}, the
 * address is refused (429) until that window ends, whatever token it sends, so that guessing gets
 * ten tries a minute. At most {@link #MAX_ADDRESSES} are remembered, the oldest forgotten first.
 */
final class Throttle {

    static final int LIMIT = 10;
    static final Duration WINDOW = Duration.ofMinutes(1);
    private static final int MAX_ADDRESSES = 10_000;

    private final Clock clock;
    /** In order of each window's start: the oldest first, to forget. */
    private final Map<String, Window> windows = new LinkedHashMap<>();

    private record Window(Instant start, int failures) {}

    Throttle(Clock clock) {
        this.clock = clock;
    }

    /** How long the address is still refused; zero when it is not. */
    synchronized Duration refusedFor(String address) {
        Window w = current(address);
        return w == null || w.failures() < LIMIT ? Duration.ZERO : Duration.between(clock.instant(), w.start().plus(WINDOW));
    }

    /** Counts a refused token; true when this one reached the limit (the moment to say so in the log). */
    synchronized boolean failed(String address) {
        Window w = current(address);
        Window next = w == null ? new Window(clock.instant(), 1) : new Window(w.start(), w.failures() + 1);
        if (w == null) {
            windows.remove(address);
        }
        windows.put(address, next);
        forgetOldest();
        return next.failures() == LIMIT;
    }

    private @Nullable Window current(String address) {
        Window w = windows.get(address);
        return w == null || !clock.instant().isBefore(w.start().plus(WINDOW)) ? null : w;
    }

    private void forgetOldest() {
        Iterator<Map.Entry<String, Window>> oldest = windows.entrySet().iterator();
        while (windows.size() > MAX_ADDRESSES && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
