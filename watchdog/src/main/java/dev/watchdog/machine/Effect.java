package dev.watchdog.machine;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.watchdog.incident.DeployNoise;
import dev.watchdog.incident.Notification;
import java.time.Instant;
import java.util.List;

/**
 * What the watchdog will do once a step is stored: the closed set of effects. Each has an id
 * (its outbox key) derived from what caused it, so that it is performed once, across restarts.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "effect")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Effect.Notify.class, name = "notify"),
    @JsonSubTypes.Type(value = Effect.CallRollback.class, name = "rollback"),
    @JsonSubTypes.Type(value = Effect.Silence.class, name = "silence"),
    @JsonSubTypes.Type(value = Effect.Unsilence.class, name = "unsilence")
})
public sealed interface Effect {

    String id();

    /** Which kind, as the outbox and metrics name it. */
    String kind();

    /** Send a message to one receiver. */
    record Notify(Notification notification) implements Effect {
        @Override
        public String id() {
            return notification.key();
        }

        @Override
        public String kind() {
            return "notify";
        }
    }

    /** Silence the deploy's expected noise at an Alertmanager until {@code until} (the end of the bake). */
    record Silence(String id, String releaseId, String alertmanager, List<DeployNoise.LabelMatcher> matchers,
                   Instant until, String comment) implements Effect {
        public Silence {
            matchers = List.copyOf(matchers);
        }

        @Override
        public String kind() {
            return "silence";
        }
    }

    /** Expire early every silence made for the release, so that real alerts are not hidden after a rollback or an end. */
    record Unsilence(String id, String releaseId, String alertmanager, String why) implements Effect {
        @Override
        public String kind() {
            return "silence";
        }
    }

    /**
     * Call the release's rollback target. {@code key} is the Idempotency-Key, the same for every
     * attempt and every try of the same rollback; {@code body} is sent as it is, every time.
     */
    record CallRollback(String id, String releaseId, String key, String target, String body) implements Effect {
        @Override
        public String kind() {
            return "rollback";
        }
    }
}
