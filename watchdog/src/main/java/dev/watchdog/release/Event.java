package dev.watchdog.release;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.watchdog.core.Ordered;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** One entry of a release's timeline. {@code seq} is given by the store and orders the timeline. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Event(long seq, String releaseId, Instant at, Type type, String message, Map<String, Object> data) {

    public Event {
        data = Ordered.sorted(data);
    }

    /** What happened: the closed set of timeline entries. */
    public enum Type {
        REGISTERED, BEFORE_RELEASE, SUPERSEDED, OUTCOME, DEGRADED, RECOVERED, VERDICT, PASSED, FINISHED, CANCELLED,
        ROLLBACK_REQUESTED, ROLLBACK_SUCCEEDED, ROLLBACK_FAILED, VERIFICATION,
        ACKNOWLEDGED, ACCEPTED, ROLLBACK_DECIDED,
        ANNOUNCEMENT, INCIDENT, NOTIFICATION_SENT, NOTIFICATION_FAILED, NOTIFICATION_DROPPED, SILENCE;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Type of(String label) {
            return Arrays.stream(values()).filter(t -> t.label().equals(label)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown event type '" + label + "'"));
        }
    }

    public static Event of(String releaseId, Instant at, Type type, String message, Map<String, Object> data) {
        return new Event(0, releaseId, at, type, message, data);
    }

    public static Event of(String releaseId, Instant at, Type type, String message) {
        return of(releaseId, at, type, message, Map.of());
    }

    public Event withSeq(long newSeq) {
        return new Event(newSeq, releaseId, at, type, message, data);
    }
}
