package dev.watchdog.incident;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * An escalation policy. levels: who hears at what time after an incident opens. Optional: repeat
 * (re-notify the current level while nobody has acknowledged), reescalateAfter (an acknowledged
 * incident still breaching this long after the ack escalates again), autoRollbackAfter (an
 * unacknowledged P1 rolls back this long after it opened), announce (who hears lifecycle
 * messages; default the first level), checkpoints (default the release criteria's T+5m, 15m, 30m,
 * 1h, 6h and 24h), summary (the rules a checkpoint summarises; default all), preexisting (what a P0
 * already there before the release does: page, the default, or rollback).
 */
public record Policy(List<Level> levels, @Nullable Duration repeat, @Nullable Duration reescalateAfter,
                     @Nullable Duration autoRollbackAfter, List<String> announce, List<Duration> checkpoints,
                     @Nullable List<String> summary, @Nullable DeployNoise deployNoise, Preexisting preexisting) {

    /** No one is notified: the policy when the config has none. */
    public static final Policy SILENT = new Policy(List.of(), null, null, null, List.of(), List.of(), null, null,
            Preexisting.PAGE);

    /** A policy that silences no deploy noise. */
    public Policy(List<Level> levels, @Nullable Duration repeat, @Nullable Duration reescalateAfter,
                  @Nullable Duration autoRollbackAfter, List<String> announce, List<Duration> checkpoints,
                  @Nullable List<String> summary) {
        this(levels, repeat, reescalateAfter, autoRollbackAfter, announce, checkpoints, summary, null, Preexisting.PAGE);
    }

    /**
     * What a P0 that was already breaching when the release was registered does: {@code page} (the
     * default) pages people as a P1 would, since rolling back returns to a version that had it too;
     * {@code rollback} rolls back all the same.
     */
    public enum Preexisting {
        PAGE, ROLLBACK;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Preexisting of(String label) {
            return java.util.Arrays.stream(values()).filter(p -> p.label().equals(label)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("preexisting must be page or rollback"));
        }
    }

    public static final List<Duration> DEFAULT_CHECKPOINTS = List.of(Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(6), Duration.ofHours(24));

    public Policy {
        levels = levels == null ? List.of() : List.copyOf(levels);
        for (int i = 1; i < levels.size(); i++) {
            if (levels.get(i).after().compareTo(levels.get(i - 1).after()) < 0) {
                throw new IllegalArgumentException("levels must be in order of 'after'");
            }
        }
        announce = announce != null ? List.copyOf(announce) : levels.isEmpty() ? List.<String>of() : levels.get(0).receivers();
        checkpoints = checkpoints == null ? DEFAULT_CHECKPOINTS : List.copyOf(checkpoints);
        summary = summary == null ? null : List.copyOf(summary);
        preexisting = preexisting == null ? Preexisting.PAGE : preexisting;
    }

    public Set<String> receiverNames() {
        Set<String> names = new TreeSet<>(announce);
        levels.forEach(l -> names.addAll(l.receivers()));
        return names;
    }

    /** One rung of the ladder: who is notified, and how long after the incident opened. */
    public record Level(Duration after, @JsonProperty("notify") List<String> receivers) {
        public Level {
            after = after == null ? Duration.ZERO : after;
            if (receivers == null || receivers.isEmpty()) {
                throw new IllegalArgumentException("a level must notify at least one receiver");
            }
            receivers = List.copyOf(receivers);
        }
    }
}
