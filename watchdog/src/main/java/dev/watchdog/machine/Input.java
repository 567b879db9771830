package dev.watchdog.machine;

import dev.watchdog.core.Ordered;
import dev.watchdog.core.Release;
import dev.watchdog.incident.Notification;
import dev.watchdog.judge.Observation;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Everything that can happen to a release: the closed set of inputs to {@link Machine#step}. */
public sealed interface Input {

    /**
     * A deploy script registered the release; {@code before}: what its rules saw at that moment, on
     * the service as it stood before the release (empty when it was not looked at).
     */
    record Register(Release release, Map<String, Observation> before) implements Input {
        public Register {
            before = Ordered.kept(before);
        }

        public Register(Release release) {
            this(release, Map.of());
        }
    }

    /** A newer version of the same service and environment was registered. */
    record Supersede(String by, String version) implements Input {}

    /** Prometheus was asked about the release's due rules: what each one saw. */
    record Observe(Map<String, Observation> seen) implements Input {
        public Observe {
            seen = Ordered.kept(seen);
        }
    }

    /** Time passed: ladders, bake, window and verification deadlines are due. */
    record Tick() implements Input {}

    /** The deploy script ends the window early, healthy. */
    record Finish(String who, @Nullable String reason) implements Input {}

    /** The deploy script cancels the window: no verdict. */
    record Cancel(String who, @Nullable String reason) implements Input {}

    /** On-call has the incident: paging stops. */
    record Ack(String who, @Nullable String reason) implements Input {}

    /** On-call keeps the release: the breaches as they stand page no more. */
    record Accept(String who, @Nullable String reason) implements Input {}

    /** On-call decided to roll back (or to try a failed rollback again). */
    record DecideRollback(String who, @Nullable String reason) implements Input {}

    /** The rollback webhook answered, or its retries ran out. */
    record RollbackAnswered(String effect, Answer answer) implements Input {}

    /** A silence was made or expired at an Alertmanager, or could not be. */
    record SilenceAnswered(String effect, Answer answer) implements Input {}

    /** A notification was delivered, given up, or dropped as no longer wanted. */
    record NotificationAnswered(Notification notification, Answer answer) implements Input {}
}
