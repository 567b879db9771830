package dev.watchdog.core;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The result of one evaluation of one rule, as the contract names it. */
public enum Outcome {
    /** Judged, and healthy. */
    OK,
    /** Breaching, but not yet for as long as {@code for} demands. */
    PENDING,
    /** A P1 breach: the team decides. */
    P1,
    /** A P0 breach: roll back at once. */
    P0,
    /** No data, or the guard was not met: nothing can be said. */
    INCONCLUSIVE,
    /** The query failed: never a breach. */
    ERROR,
    /** Before the rule's {@code after}: not judged yet. */
    WAITING;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
