package dev.watchdog.metrics;

import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.RollbackRecord;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The DORA figures, by service and environment, as the watchdog counts them (docs/deploy-tools.md, DORA figures):
 * a deployment is a release registered; it failed when a rollback was asked for (a P0, an
 * unacknowledged P1, or a person); time to detect runs from its start to its first incident opening;
 * time to decide from an incident opening to the first decision a person took on it (keep, or roll
 * back); recovery from its start to its rollback done. The same definitions make the metrics, as
 * releases move, and {@code watchdog report dora}, afterwards.
 */
public final class Dora {

    /** Seconds, a minute to a week: a P1 may wait hours for a decision. */
    private static final double[] TIMES = {60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 259200, 604800};

    private final Counter deployments;
    private final Counter failed;
    private final Histogram detect;
    private final Histogram decide;
    private final Histogram recovery;

    Dora(PrometheusRegistry registry) {
        deployments = Counter.builder().name("watchdog_dora_deployments_total")
                .help("Releases registered (deployments)").labelNames("service", "environment").register(registry);
        failed = Counter.builder().name("watchdog_dora_deployments_failed_total")
                .help("Releases a rollback was asked for (failed deployments)").labelNames("service", "environment")
                .register(registry);
        detect = histogram("watchdog_dora_time_to_detect_seconds", "From a release's start to its first incident", registry);
        decide = histogram("watchdog_dora_time_to_decide_seconds",
                "From an incident opening to a person's first decision on it (keep, or roll back)", registry);
        recovery = histogram("watchdog_dora_recovery_seconds",
                "From a failed release's start to its rollback done (failed deployment recovery time)", registry);
    }

    private static Histogram histogram(String name, String help, PrometheusRegistry registry) {
        return Histogram.builder().name(name).help(help).labelNames("service", "environment").classicUpperBounds(TIMES)
                .withoutExemplars().register(registry);
    }

    /** The milestones one step passed. */
    void changed(@Nullable Watch before, Watch after) {
        Release r = after.release();
        String[] labels = {r.service(), r.environment()};
        if (before == null) {
            deployments.labelValues(labels).inc();
        }
        if (failed(after) && (before == null || !failed(before))) {
            failed.labelValues(labels).inc();
        }
        Incident is = after.incident();
        Incident was = before == null ? null : before.incident();
        boolean opened = is != null && (was == null || !was.id().equals(is.id()));
        if (is != null && opened && first(is)) {
            detect.labelValues(labels).observe(seconds(detect(r, is)));
        }
        Optional<Duration> decided = is == null ? Optional.empty() : decide(is);
        boolean decidedBefore = was != null && is != null && was.id().equals(is.id()) && decide(was).isPresent();
        if (decided.isPresent() && !decidedBefore) {
            decide.labelValues(labels).observe(seconds(decided.get()));
        }
        Optional<Duration> recovered = recovery(r, after.rollback());
        if (recovered.isPresent() && (before == null || recovery(r, before.rollback()).isEmpty())) {
            recovery.labelValues(labels).observe(seconds(recovered.get()));
        }
    }

    /** A failed deployment: a rollback was asked for. */
    public static boolean failed(Watch w) {
        return w.rollback() != null;
    }

    /** The incident that detects: the release's first, opened by its rules (not raised by a rollback). */
    public static boolean first(Incident inc) {
        return inc.number() == 1 && inc.cause() == null;
    }

    public static Duration detect(Release r, Incident inc) {
        return Duration.between(r.startedAt(), inc.openedAt());
    }

    /**
     * From the incident opening to the first decision a person took (keep, or roll back); the
     * watchdog's own ({@code auto_rollback}, and a P0's rollback, which is no mark) are not decisions.
     */
    public static Optional<Duration> decide(Incident inc) {
        return inc.decisions().stream().filter(m -> m.kind().equals("accept") || m.kind().equals("rollback"))
                .findFirst().map(m -> Duration.between(inc.openedAt(), m.at()));
    }

    /** From the release's start to its rollback done; empty until the rollback webhook succeeded. */
    public static Optional<Duration> recovery(Release r, @Nullable RollbackRecord rb) {
        return rb != null && Boolean.TRUE.equals(rb.succeeded()) && rb.answeredAt() != null
                ? Optional.of(Duration.between(r.startedAt(), rb.answeredAt())) : Optional.empty();
    }

    private static double seconds(Duration d) {
        return Math.max(0, d.toMillis() / 1000.0);
    }
}
