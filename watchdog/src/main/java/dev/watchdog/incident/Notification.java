package dev.watchdog.incident;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/** One notice to one receiver, and what became of it: stored before the first attempt, updated after each. */
public record Notification(
        String key,
        String releaseId,
        String incidentId,
        String receiver,
        Notice.Kind kind,
        Message message,
        Status status,
        int attempts,
        Instant createdAt,
        Instant updatedAt,
        String error) {

    /** What became of it. */
    public enum Status {
        PENDING, SENT, FAILED,
        /** Not sent: it stopped being wanted (a page after the ack). */
        DROPPED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static Notification pending(Notice notice, String releaseId, String receiver, Message message, Instant now) {
        return new Notification(notice.key() + "@" + receiver, releaseId, notice.incidentId(), receiver, notice.kind(),
                message, Status.PENDING, 0, now, now, null);
    }

    public Notification ended(Status newStatus, int attemptCount, String why, Instant now) {
        return new Notification(key, releaseId, incidentId, receiver, kind, message, newStatus, attemptCount, createdAt,
                now, why);
    }
}
