package dev.watchdog.incident;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.watchdog.core.Ordered;
import dev.watchdog.core.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a release's breaches become: one incident per release at a time, its rules' breaches grouped
 * in it, the most severe deciding. The policy is copied in when it opens, so that a reload does not
 * change the ladder of an open incident.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Incident(
        String id,
        String releaseId,
        int number,
        Severity severity,
        Status status,
        Map<String, Breach> rules,
        @Nullable Policy policy,
        Instant openedAt,
        Instant ladderStart,
        int level,
        @Nullable Instant lastPagedAt,
        int repeats,
        int noticeCount,
        @Nullable Instant nextDueAt,
        @Nullable Mark acknowledged,
        Map<String, Severity> accepted,
        boolean autoRollbackAsked,
        List<Mark> decisions,
        @Nullable Instant resolvedAt,
        @Nullable String resolution,
        @Nullable Cause cause) {

    public Incident {
        rules = Ordered.kept(rules);
        accepted = Ordered.kept(accepted);
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }

    /** Where an incident stands. */
    public enum Status {
        /** Paging: the ladder climbs while nobody answers. */
        OPEN,
        /** Someone has it: no more paging, unless it is still breaching after the policy's reescalateAfter. */
        ACKNOWLEDGED,
        /** The team keeps the release: no paging unless it worsens to P0 or another rule breaches. */
        ACCEPTED,
        RESOLVED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Why the incident pages, beyond its rules' breaches: a rollback that failed, or one that did
     * not restore health. Either pages every level at once and keeps paging until a person decides.
     */
    public enum Cause {
        ROLLBACK_FAILED, NOT_RECOVERED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One rule's breach, as last seen. */
    /**
     * A rule's breach as the incident holds it. {@code before}: a P0 that was already there before the
     * release, paged as a P1 (the team decides) rather than rolled back.
     */
    public record Breach(String rule, Severity severity, @Nullable Double value, @Nullable Double baseline,
                         String threshold, boolean before) {

        public Breach(String rule, Severity severity, @Nullable Double value, @Nullable Double baseline, String threshold) {
            this(rule, severity, value, baseline, threshold, false);
        }

        /** The same breach, paged as a P1 because it was already there before the release. */
        public Breach fromBefore() {
            return new Breach(rule, Severity.P1, value, baseline, threshold, true);
        }
    }

    /** Who did what, when, and why: acknowledgements and decisions. */
    public record Mark(String kind, String who, @Nullable String reason, Instant at) {
        /** The decision in words, as pages and reports print it. */
        public static String words(String kind) {
            return switch (kind) {
                case "ack" -> "acknowledged";
                case "accept" -> "accepted (kept the release)";
                case "rollback" -> "decided to roll back";
                case "auto_rollback" -> "rolled back automatically";
                default -> kind.replace('_', ' ');
            };
        }
    }

    /** Whether the incident pages and keeps the release degraded. */
    public boolean open() {
        return status == Status.OPEN || status == Status.ACKNOWLEDGED;
    }

    Incident withStatus(Status s) {
        return new Incident(id, releaseId, number, severity, s, rules, policy, openedAt, ladderStart, level, lastPagedAt,
                repeats, noticeCount, nextDueAt, acknowledged, accepted, autoRollbackAsked,
                decisions, resolvedAt, resolution, cause);
    }

    Incident withRules(Map<String, Breach> r, Severity sev) {
        return new Incident(id, releaseId, number, sev, status, r, policy, openedAt, ladderStart, level, lastPagedAt,
                repeats, noticeCount, nextDueAt, acknowledged, accepted, autoRollbackAsked,
                decisions, resolvedAt, resolution, cause);
    }

    /** Where the ladder stands: the level reached, since when it counts, when it last paged, how often it repeated. */
    Incident withLadder(int lvl, Instant start, @Nullable Instant paged, int rep) {
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, start, lvl, paged,
                rep, noticeCount, nextDueAt, acknowledged, accepted, autoRollbackAsked,
                decisions, resolvedAt, resolution, cause);
    }

    Incident withNoticeCount(int n) {
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, ladderStart, level, lastPagedAt,
                repeats, n, nextDueAt, acknowledged, accepted, autoRollbackAsked,
                decisions, resolvedAt, resolution, cause);
    }

    Incident withAcknowledged(@Nullable Mark ack) {
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, ladderStart, level, lastPagedAt,
                repeats, noticeCount, nextDueAt, ack, accepted, autoRollbackAsked,
                decisions, resolvedAt, resolution, cause);
    }

    Incident withAccepted(Map<String, Severity> acc) {
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, ladderStart, level, lastPagedAt,
                repeats, noticeCount, nextDueAt, acknowledged, acc, autoRollbackAsked,
                decisions, resolvedAt, resolution, cause);
    }

    Incident withAutoRollbackAsked() {
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, ladderStart, level, lastPagedAt,
                repeats, noticeCount, nextDueAt, acknowledged, accepted, true,
                decisions, resolvedAt, resolution, cause);
    }

    Incident withDecision(Mark mark) {
        List<Mark> marks = new ArrayList<>(decisions);
        marks.add(mark);
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, ladderStart, level, lastPagedAt,
                repeats, noticeCount, nextDueAt, acknowledged, accepted, autoRollbackAsked, marks, resolvedAt, resolution, cause);
    }

    Incident resolved(Instant at, String why) {
        return new Incident(id, releaseId, number, severity, Status.RESOLVED, rules, policy, openedAt, ladderStart, level,
                lastPagedAt, repeats, noticeCount, null, acknowledged, accepted, autoRollbackAsked,
                decisions, at, why, cause);
    }

    Incident withCause(Cause c) {
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, ladderStart, level,
                lastPagedAt, repeats, noticeCount, nextDueAt, acknowledged, accepted, autoRollbackAsked, decisions,
                resolvedAt, resolution, c);
    }

    Incident withNextDue(@Nullable Instant due) {
        return new Incident(id, releaseId, number, severity, status, rules, policy, openedAt, ladderStart, level,
                lastPagedAt, repeats, noticeCount, due, acknowledged, accepted, autoRollbackAsked, decisions,
                resolvedAt, resolution, cause);
    }
}
