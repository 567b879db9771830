package dev.watchdog.release;

import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Incident.Breach;
import java.time.Instant;
import java.util.Comparator;

/**
 * A release's one rollback: requested (and stored) before the webhook is called, answered after.
 * Its key is sent as {@code Idempotency-Key} on every attempt, before and after a restart.
 */
public record RollbackRecord(
        String key,
        Reason reason,
        String triggeredBy,
        Instant requestedAt,
        Instant answeredAt,
        Boolean succeeded,
        int attempts,
        String lastError) {

    /** Why the rollback was asked for. */
    public record Reason(String rule, String severity, Double value, String threshold) {

        /** Why an incident is rolled back: its most severe rule; "none" without one (the team's own call). */
        public static Reason of(Incident incident) {
            if (incident == null || incident.rules().isEmpty()) {
                return new Reason(null, "none", null, null);
            }
            Breach lead = incident.rules().values().stream().max(Comparator.comparing(Breach::severity)).orElseThrow();
            return new Reason(lead.rule(), lead.severity().name(), lead.value(), lead.threshold());
        }
    }

    public static RollbackRecord requested(String releaseId, Reason reason, String triggeredBy, Instant now) {
        return new RollbackRecord(releaseId + ":rollback", reason, triggeredBy, now, null, null, 0, null);
    }

    public boolean answered() {
        return answeredAt != null;
    }

    public RollbackRecord answered(boolean ok, int attemptCount, String error, Instant now) {
        return new RollbackRecord(key, reason, triggeredBy, requestedAt, now, ok, attemptCount, error);
    }
}
