package dev.watchdog.machine;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** An effect as the outbox keeps it: stored with the step that caused it, then what became of it. */
public record OutboxEntry(String id, String releaseId, Effect effect, Status status, int attempts, @Nullable String error,
                          Instant createdAt, Instant updatedAt) {

    /** What became of an effect. */
    public enum Status {
        PENDING, SENT, FAILED,
        /** Not performed: it stopped being wanted (a page after the ack). */
        DROPPED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
