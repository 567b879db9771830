package dev.watchdog.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.core.Json;
import dev.watchdog.core.Release;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A release's rollback: requested (and stored) before the webhook is called, answered after. Its
 * key is sent as {@code Idempotency-Key} on every attempt, before and after a restart, and when
 * on-call tries a failed rollback again ({@code round} counts those tries).
 */
public record RollbackRecord(
        String key,
        Reason reason,
        String triggeredBy,
        Instant requestedAt,
        @Nullable Instant answeredAt,
        @Nullable Boolean succeeded,
        int attempts,
        @Nullable String lastError,
        int round,
        String body) {

    /** Why the rollback was asked for. */
    public record Reason(@Nullable String rule, String severity, @Nullable Double value, @Nullable String threshold) {

        /** A rollback nobody's rule asked for: the team's own call. */
        public static final Reason TEAM = new Reason(null, "none", null, null);
    }

    /** A first request of {@code release} (as it is when rolling back): its body is written now, once. */
    public static RollbackRecord requested(Release release, Reason reason, String triggeredBy, Instant now) {
        return new RollbackRecord(release.id() + ":rollback", reason, triggeredBy, now, null, null, 0, null, 1,
                body(release, reason, triggeredBy, now));
    }

    /** The contract's rollback body: what the webhook gets on every attempt and every try. */
    public static String body(Release release, Reason reason, String triggeredBy, Instant at) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", "rollback");
        body.set("release", Json.MAPPER.valueToTree(release));
        body.set("reason", Json.MAPPER.valueToTree(reason));
        body.put("triggeredBy", triggeredBy);
        body.put("at", at.toString());
        return Json.write(body);
    }

    /** The outbox key of this round's webhook call. */
    public String effectId() {
        return key + "#" + round;
    }

    public boolean answered() {
        return answeredAt != null;
    }

    public RollbackRecord answered(boolean ok, int attemptCount, @Nullable String error, Instant now) {
        return new RollbackRecord(key, reason, triggeredBy, requestedAt, now, ok, attemptCount, error, round, body);
    }

    /** Tried again after it failed: the same key and body, a new round. */
    public RollbackRecord retried() {
        return new RollbackRecord(key, reason, triggeredBy, requestedAt, null, null, 0, null, round + 1, body);
    }
}
