package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one series (or group of series) reads: its value and baseline, the severity it reaches (null:
 * it cannot be told, with {@code why}), and, for a statistical rule, the evidence.
 */
record Reading(Series series, @Nullable Double baseline, @Nullable Severity severity, @Nullable String why,
               @Nullable Evidence evidence) {

    static Reading unsure(Series series, @Nullable Double baseline, String why, @Nullable Evidence evidence) {
        return new Reading(series, baseline, null, why, evidence);
    }

    /** The severity of a reading that could be told: only those are judged. */
    Severity told() {
        return Objects.requireNonNull(severity, "only a reading whose severity was told is judged");
    }
}
