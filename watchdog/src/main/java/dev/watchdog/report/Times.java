package dev.watchdog.report;

import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident.Mark;
import dev.watchdog.incident.Incident;
import dev.watchdog.release.RollbackRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How long an incident took to detect, acknowledge and roll back, measured as the metrics
 * {@code watchdog_time_to_detect_seconds}, {@code _to_acknowledge_} and {@code _to_rollback_} are:
 * from the release's start to the incident opening; from the opening to the first acknowledgement;
 * from the opening to the rollback being done (from the request, for a rollback without incident).
 * {@code incident} is null for that last case. Each figure is null where it did not happen.
 */
public record Times(@Nullable Incident incident, @Nullable Duration detect, @Nullable Duration acknowledge,
                    @Nullable Mark acknowledgedBy, @Nullable Duration rollback) {

    /** One row per incident, oldest first, and one for a rollback no incident asked for. */
    public static List<Times> of(Release release, List<Incident> incidents, @Nullable RollbackRecord rollback) {
        Instant done = rollback != null && Boolean.TRUE.equals(rollback.succeeded()) ? rollback.answeredAt() : null;
        Incident rolledBack = done == null ? null : incidents.stream().filter(i -> !i.openedAt().isAfter(done))
                .max(Comparator.comparing(Incident::openedAt)).orElse(null);
        List<Times> rows = new ArrayList<>();
        for (Incident inc : incidents) {
            Optional<Mark> ack = firstAck(inc);
            rows.add(new Times(inc, Duration.between(release.startedAt(), inc.openedAt()),
                    ack.map(m -> Duration.between(inc.openedAt(), m.at())).orElse(null), ack.orElse(null),
                    inc.equals(rolledBack) ? Duration.between(inc.openedAt(), done) : null));
        }
        if (rollback != null && done != null && rolledBack == null) {
            rows.add(new Times(null, null, null, null, Duration.between(rollback.requestedAt(), done)));
        }
        return rows;
    }

    private static Optional<Mark> firstAck(Incident inc) {
        return inc.decisions().stream().filter(m -> m.kind().equals("ack")).findFirst()
                .or(() -> Optional.ofNullable(inc.acknowledged()));
    }
}
