package dev.watchdog.incident;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One notice to one receiver: the message as it was when the step that caused it was taken. Its
 * key is derived from that step (release, incident, the notice's place in the incident's
 * sequence) and the receiver, so that it is sent once. What became of it is kept by the outbox.
 */
public record Notification(
        String key,
        String releaseId,
        @Nullable String incidentId,
        String receiver,
        Notice.Kind kind,
        Message message,
        Instant createdAt) {

    public static Notification of(Notice notice, String releaseId, String receiver, Message message, Instant now) {
        return new Notification(notice.key() + "@" + receiver, releaseId, notice.incidentId(), receiver, notice.kind(),
                message, now);
    }
}
