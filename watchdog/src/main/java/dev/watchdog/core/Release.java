package dev.watchdog.core;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A release window: what was deployed, how long it is watched, and where it stands. */
public record Release(
        String id,
        String service,
        String version,
        @Nullable String previousVersion,
        String environment,
        Map<String, String> labels,
        Duration window,
        Duration bake,
        String policy,
        String rollbackTarget,
        State state,
        @Nullable Verdict verdict,
        Instant startedAt,
        Instant bakeUntil,
        Instant windowUntil,
        @Nullable Instant endedAt,
        @Nullable String supersededBy) {

    public Release {
        labels = Ordered.sorted(labels);
    }

    /** The states of the contract; only watching and degraded are evaluated. */
    public enum State {
        WATCHING, DEGRADED, ROLLING_BACK, ROLLED_BACK, ROLLBACK_FAILED, PASSED, CANCELLED;

        public boolean watched() {
            return this == WATCHING || this == DEGRADED;
        }

        /** Still the daemon's business: watched, or a rollback in flight. */
        public boolean open() {
            return watched() || this == ROLLING_BACK;
        }

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The answer a deploy script waits for. Unjudged: the bake ended with nothing open, but no rule
     * ever had anything to judge (no series at all, every guard unmet): not healthy, since nobody
     * looked.
     */
    public enum Verdict {
        HEALTHY, ROLLED_BACK, FAILED, UNJUDGED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A release that was never registered, for judging rules over history (replay, rule tests): watched
     * from {@code start} with a window long enough never to end.
     */
    public static Release hypothetical(String id, String service, String version, @Nullable String previousVersion,
                                       String environment, Map<String, String> labels, Instant start) {
        Duration window = Duration.ofDays(3650);
        return new Release(id, service, version, previousVersion, environment, labels, window, window, "default",
                "default", State.WATCHING, null, start, start.plus(window), start.plus(window), null, null);
    }

    /** Whether a deploy script waiting for a verdict can stop waiting. */
    public boolean judged() {
        return verdict != null || !state.open();
    }

    /** The values rule templates may use: labels, then the release's own fields, which win. */
    public Map<String, String> templateValues() {
        Map<String, String> values = new HashMap<>(labels);
        values.put("service", service);
        values.put("version", version);
        values.put("environment", environment);
        if (previousVersion != null) {
            values.put("previous_version", previousVersion);
        }
        return values;
    }

    public Release withState(State newState, Instant now) {
        return new Release(id, service, version, previousVersion, environment, labels, window, bake, policy,
                rollbackTarget, newState, verdict, startedAt, bakeUntil, windowUntil,
                newState.open() ? null : now, supersededBy);
    }

    public Release withVerdict(@Nullable Verdict newVerdict) {
        return new Release(id, service, version, previousVersion, environment, labels, window, bake, policy,
                rollbackTarget, state, newVerdict, startedAt, bakeUntil, windowUntil, endedAt, supersededBy);
    }

    public Release supersededBy(String newer, Instant now) {
        return new Release(id, service, version, previousVersion, environment, labels, window, bake, policy,
                rollbackTarget, State.CANCELLED, verdict, startedAt, bakeUntil, windowUntil, now, newer);
    }
}
