package dev.watchdog.action;

import java.time.Duration;
import java.util.Optional;

/** Capped exponential backoff with equal jitter; a server's {@code Retry-After} wins. Pure. */
record Backoff(Duration initial, Duration max) {

    /** A server may ask for a pause, but not for one longer than this. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(10);

    /** The pause before attempt {@code attempt + 1}; {@code random} in [0, 1). */
    Duration delay(int attempt, Optional<Duration> retryAfter, double random) {
        if (retryAfter.isPresent()) {
            Duration asked = retryAfter.get();
            return asked.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : asked;
        }
        long cap = initial.toMillis() << Math.min(attempt - 1, 30);
        cap = Math.min(cap <= 0 ? Long.MAX_VALUE : cap, max.toMillis());
        return Duration.ofMillis(cap / 2 + (long) (random * (cap / 2.0)));
    }
}
