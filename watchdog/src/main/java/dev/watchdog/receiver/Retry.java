package dev.watchdog.receiver;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.watchdog.core.Checks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Capped exponential backoff with jitter. Optional: attempts (8, or no limit with a budget), initial
 * (1s), max (1m), for (the time budget: no attempt starts after it has passed since the first;
 * none by default, 10m for rollback targets).
 */
public record Retry(@Nullable Integer attempts, Duration initial, Duration max,
                    @JsonProperty("for") @Nullable Duration budget) {

    public Retry(@Nullable Integer attempts, @Nullable Duration initial, @Nullable Duration max) {
        this(attempts, initial, max, null);
    }

    /** Spelled out: an omitted setting arrives as null and takes its default. */
    public Retry(@Nullable Integer attempts, @Nullable Duration initial, @Nullable Duration max,
                 @JsonProperty("for") @Nullable Duration budget) {
        attempts = attempts == null ? null : Checks.atLeastOne(attempts, "attempts");
        initial = initial == null ? Duration.ofSeconds(1) : Checks.positive(initial, "initial");
        max = max == null ? Duration.ofMinutes(1) : Checks.positive(max, "max");
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("retry.max must not be below retry.initial");
        }
        if (budget != null && (budget.isNegative() || budget.isZero())) {
            throw new IllegalArgumentException("retry.for must be positive");
        }
        this.attempts = attempts;
        this.initial = initial;
        this.max = max;
        this.budget = budget;
    }

    /** The receivers' default: 5 attempts, 1s to 30s apart. */
    public static Retry receivers() {
        return new Retry(5, null, Duration.ofSeconds(30));
    }

    /** The most attempts: as given; else no limit under a time budget, and 8 without one. */
    public int maxAttempts() {
        return attempts != null ? attempts : budget != null ? Integer.MAX_VALUE : 8;
    }
}
