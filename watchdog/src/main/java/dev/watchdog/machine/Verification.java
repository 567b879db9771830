package dev.watchdog.machine;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * After a rollback, whether it restored health: the rules that breached are judged until
 * {@code until}; recovered as soon as every one of them is healthy again (for its {@code for}),
 * not recovered if that has not happened by then.
 */
public record Verification(State state, Instant until, List<String> rules) {

    public Verification {
        rules = List.copyOf(rules);
    }

    /** Where the verification stands. */
    public enum State {
        PENDING, RECOVERED, NOT_RECOVERED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    Verification ended(State outcome) {
        return new Verification(outcome, until, rules);
    }
}
