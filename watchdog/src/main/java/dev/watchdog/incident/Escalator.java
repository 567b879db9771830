package dev.watchdog.incident;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Severity;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Incident.Mark;
import dev.watchdog.incident.Incident.Status;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.incident.Policy.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The escalation state machine. Pure: every step takes the incident, what is breaching and
 * {@code now}, and returns the incident and the notices it calls for.
 *
 * <p>The ladder counts from {@code ladderStart}: level k is notified once {@code levels[k].after}
 * has passed. While nobody has acknowledged, the current level hears again every {@code repeat}.
 * An acknowledgement stops all of it at once; if the incident still breaches {@code reescalateAfter}
 * later, the next level up hears and the ladder goes on from there.
 */
public final class Escalator {

    private Escalator() {}

    /** An incident after a step, the notices it calls for, and whether to roll back now. */
    public record Step(@Nullable Incident incident, List<Notice> notices, boolean rollBack) {
        public Step {
            notices = List.copyOf(notices);
        }
    }

    /** After a tick: open, update, upgrade, climb, repeat, re-escalate or resolve. */
    public static Step afterTick(@Nullable Incident current, String releaseId, Map<String, Breach> breaching,
                                 Policy policy, Instant now) {
        List<Notice> notices = new ArrayList<>();
        if (current == null || current.status() == Status.RESOLVED) {
            if (breaching.isEmpty()) {
                return new Step(current, notices, false);
            }
            int number = current == null ? 1 : current.number() + 1;
            Incident opened = new Incident(releaseId + "." + number, releaseId, number, worst(breaching), Status.OPEN,
                    breaching, policy, now, now, 0, null, 0, 0, null, null, Map.of(), false, List.of(), null, null, null);
            return finish(climb(opened, Kind.OPENED, now, notices), notices, false, now);
        }
        Map<String, Breach> rules = new LinkedHashMap<>(current.rules());
        rules.putAll(breaching);
        Incident inc = current.withRules(rules, current.severity());
        if (breaching.isEmpty()) {
            return resolve(inc, "recovered", now);
        }
        if (worst(breaching) == Severity.P0 && inc.severity() == Severity.P1) {
            inc = bump(inc.withRules(rules, Severity.P0), notices, Kind.UPGRADED, paged(inc));
        }
        if (inc.status() == Status.ACCEPTED && worsened(inc, breaching)) {
            inc = inc.withStatus(Status.OPEN).withAcknowledged(null).withAccepted(Map.of())
                    .withLadder(0, now, inc.lastPagedAt(), 0);
            inc = climb(inc, Kind.REOPENED, now, notices);
            return finish(inc, notices, false, now);
        }
        return ladder(inc, now, notices);
    }

    /**
     * Time passed with nothing judged (a rollback in flight, failed, or being verified): the ladder
     * climbs, repeats and re-escalates; nothing opens, upgrades or resolves.
     */
    public static Step timePassed(@Nullable Incident inc, Instant now) {
        if (inc == null || inc.status() == Status.RESOLVED) {
            return new Step(inc, List.of(), false);
        }
        return ladder(inc, now, new ArrayList<>());
    }

    private static Step ladder(Incident current, Instant now, List<Notice> notices) {
        Incident inc = current;
        if (inc.status() == Status.ACKNOWLEDGED && due(acknowledgedAt(inc), policy(inc).reescalateAfter(), now)) {
            inc = reescalate(inc, now, notices);
        } else if (inc.status() == Status.OPEN) {
            // Level 1 may come due after a grace: those it pages hear of the incident for the first time,
            // or, if the team had accepted it, that it breaches again.
            inc = climb(inc, reopened(inc) ? Kind.REOPENED : Kind.OPENED, now, notices);
        }
        boolean rollBack = inc.status() == Status.OPEN && inc.severity() == Severity.P1 && !inc.autoRollbackAsked()
                && inc.cause() == null && due(inc.openedAt(), policy(inc).autoRollbackAfter(), now);
        if (rollBack) {
            Duration after = Objects.requireNonNull(policy(inc).autoRollbackAfter(), "due only with autoRollbackAfter");
            inc = inc.withDecision(new Mark("auto_rollback", "watchdog", "unacknowledged for "
                    + Durations.format(after), now)).withAutoRollbackAsked();
        }
        return finish(inc, notices, rollBack, now);
    }

    /**
     * A rollback failed, or did not restore health: the release's incident (a new one if it has
     * none open) becomes a P0 with that cause, every level hears it at once, and it pages until a
     * person decides. An acknowledgement made before does not cover it.
     */
    public static Step raise(@Nullable Incident current, String releaseId, Incident.Cause cause,
                             Map<String, Breach> breaching, Policy policy, Instant now) {
        Incident inc;
        if (current == null || current.status() == Status.RESOLVED) {
            int number = current == null ? 1 : current.number() + 1;
            inc = new Incident(releaseId + "." + number, releaseId, number, Severity.P0, Status.OPEN, breaching, policy,
                    now, now, 0, null, 0, 0, null, null, Map.of(), false, List.of(), null, null, cause);
        } else {
            Map<String, Breach> rules = new LinkedHashMap<>(current.rules());
            rules.putAll(breaching);
            inc = current.withRules(rules, Severity.P0).withStatus(Status.OPEN).withAcknowledged(null)
                    .withAccepted(Map.of()).withCause(cause);
        }
        List<Notice> notices = new ArrayList<>();
        // Every level has come due at once: nothing is left to climb, only to repeat.
        inc = inc.withLadder(policy(inc).levels().size(), now, now, 0);
        inc = bump(inc, notices, cause == Incident.Cause.ROLLBACK_FAILED ? Kind.ROLLBACK_FAILED : Kind.NOT_RECOVERED,
                everyone(inc));
        return finish(inc, notices, false, now);
    }

    /** Someone has it: paging stops at once. */
    public static Step acknowledge(@Nullable Incident current, String who, @Nullable String reason, Instant now) {
        Incident inc = requireStatus(current, "acknowledge", Status.OPEN);
        Mark ack = new Mark("ack", who, reason, now);
        return told(inc.withDecision(ack).withAcknowledged(ack).withStatus(Status.ACKNOWLEDGED), Kind.ACKNOWLEDGED, now);
    }

    /** The team keeps the release: the breaches as they stand do not page again. */
    public static Step accept(@Nullable Incident current, String who, @Nullable String reason, Instant now) {
        Incident inc = requireStatus(current, "accept", Status.OPEN, Status.ACKNOWLEDGED);
        if (inc.cause() != null) {
            List<Notice> notices = new ArrayList<>();
            Incident decided = bump(inc.withDecision(new Mark("accept", who, reason, now)), notices, Kind.ACCEPTED,
                    everyone(inc));
            return new Step(decided.resolved(now, "accepted"), notices, false);
        }
        Map<String, Severity> accepted = new LinkedHashMap<>();
        inc.rules().values().forEach(b -> accepted.put(b.rule(), b.severity()));
        return told(inc.withDecision(new Mark("accept", who, reason, now)).withAcknowledged(null).withAccepted(accepted)
                .withStatus(Status.ACCEPTED), Kind.ACCEPTED, now);
    }

    /** The team decided to roll back; the rollback itself goes the way every rollback goes. */
    public static Step rollbackDecided(Incident inc, String who, @Nullable String reason, Instant now) {
        requireStatus(inc, "roll back", Status.OPEN, Status.ACKNOWLEDGED, Status.ACCEPTED);
        return told(inc.withDecision(new Mark("rollback", who, reason, now)), Kind.ROLLBACK_DECIDED, now);
    }

    /** The rollback was done: the incident is resolved, and everyone paged so far hears it. */
    public static Step rolledBack(Incident inc, Instant now) {
        List<Notice> notices = new ArrayList<>();
        Incident told = bump(inc, notices, Kind.ROLLED_BACK, inc.cause() != null ? everyone(inc) : paged(inc));
        return new Step(told.resolved(now, "rolled_back"), notices, false);
    }

    /** The release's watch ended (window, finish, cancel, supersession) with the incident still there. */
    public static Step ended(Incident inc, String why, Instant now) {
        return resolve(inc, why, now);
    }

    private static Step resolve(Incident inc, String why, Instant now) {
        List<Notice> notices = new ArrayList<>();
        Incident told = inc.level() > 0 ? bump(inc, notices, Kind.RESOLVED, paged(inc)) : inc;
        return new Step(told.resolved(now, why), notices, false);
    }

    /** A decision, told to everyone paged so far. */
    private static Step told(Incident inc, Kind kind, Instant now) {
        List<Notice> notices = new ArrayList<>();
        return finish(bump(inc, notices, kind, paged(inc)), notices, false, now);
    }

    /** Fires every level whose time has come; if none, repeats the current one when its time has come. */
    private static Incident climb(Incident inc, Kind firstKind, Instant now, List<Notice> notices) {
        List<Level> levels = policy(inc).levels();
        Duration elapsed = Duration.between(inc.ladderStart(), now);
        boolean fired = false;
        while (inc.level() < levels.size() && levels.get(inc.level()).after().compareTo(elapsed) <= 0) {
            int level = inc.level() + 1;
            inc = inc.withLadder(level, inc.ladderStart(), now, 0);
            inc = bump(inc, notices, level == 1 ? firstKind : Kind.ESCALATED, levels.get(level - 1).receivers());
            fired = true;
        }
        if (!fired && inc.level() > 0 && due(inc.lastPagedAt(), policy(inc).repeat(), now)) {
            inc = inc.withLadder(inc.level(), inc.ladderStart(), now, inc.repeats() + 1);
            inc = bump(inc, notices, Kind.REPEATED, inc.cause() != null ? everyone(inc)
                    : levels.get(inc.level() - 1).receivers());
        }
        return inc;
    }

    /** The next level up hears, and the ladder goes on from there as if that level had just come due. */
    private static Incident reescalate(Incident inc, Instant now, List<Notice> notices) {
        List<Level> levels = policy(inc).levels();
        int level = Math.min(inc.level() + 1, levels.size());
        if (level == 0) {
            return inc;
        }
        Incident again = inc.withStatus(Status.OPEN).withAcknowledged(null)
                .withLadder(level, now.minus(levels.get(level - 1).after()), now, 0);
        return bump(again, notices, Kind.REESCALATED, levels.get(level - 1).receivers());
    }

    /** Adds a notice with the next key of the incident's sequence. */
    private static Incident bump(Incident inc, List<Notice> notices, Kind kind, List<String> receivers) {
        int n = inc.noticeCount() + 1;
        if (!receivers.isEmpty()) {
            notices.add(new Notice(inc.id() + ":" + n + ":" + kind.label(), kind, receivers, inc.level(), inc.id(), null));
        }
        return inc.withNoticeCount(n);
    }

    private static Step finish(Incident inc, List<Notice> notices, boolean rollBack, Instant now) {
        return new Step(inc.withNextDue(nextDue(inc, now)), notices, rollBack);
    }

    /** When the next step can change something: for operators, and for a restart to resume on time. */
    static @Nullable Instant nextDue(Incident inc, Instant now) {
        Policy p = policy(inc);
        List<Instant> candidates = new ArrayList<>();
        if (inc.status() == Status.OPEN) {
            if (inc.level() < p.levels().size()) {
                candidates.add(inc.ladderStart().plus(p.levels().get(inc.level()).after()));
            }
            if (p.repeat() != null && inc.level() > 0) {
                Instant paged = Objects.requireNonNull(inc.lastPagedAt(), "an incident past level 0 has paged");
                candidates.add(paged.plus(p.repeat()));
            }
            if (p.autoRollbackAfter() != null && inc.severity() == Severity.P1 && !inc.autoRollbackAsked()) {
                candidates.add(inc.openedAt().plus(p.autoRollbackAfter()));
            }
        } else if (inc.status() == Status.ACKNOWLEDGED && p.reescalateAfter() != null) {
            candidates.add(acknowledgedAt(inc).plus(p.reescalateAfter()));
        }
        return candidates.stream().min(Instant::compareTo).orElse(null);
    }

    /** Everyone notified so far; the first level if nobody yet. */
    public static List<String> paged(Incident inc) {
        List<Level> levels = policy(inc).levels();
        int upTo = Math.max(1, inc.level());
        Set<String> who = new LinkedHashSet<>();
        levels.stream().limit(upTo).forEach(l -> who.addAll(l.receivers()));
        return List.copyOf(who);
    }

    /** Every receiver on the incident's ladder. */
    public static List<String> everyone(Incident inc) {
        return List.copyOf(policy(inc).levels().stream().flatMap(l -> l.receivers().stream())
                .collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    private static boolean worsened(Incident inc, Map<String, Breach> breaching) {
        return breaching.values().stream().anyMatch(b -> {
            Severity before = inc.accepted().get(b.rule());
            return before == null || b.severity().compareTo(before) > 0;
        });
    }

    /** Whether the incident was accepted before: open again, it is reopened, not new. */
    private static boolean reopened(Incident inc) {
        return inc.decisions().stream().anyMatch(m -> m.kind().equals("accept"));
    }

    private static Severity worst(Map<String, Breach> breaching) {
        return breaching.values().stream().map(Breach::severity).reduce(Severity.NONE, Severity::worst);
    }

    private static boolean due(@Nullable Instant since, @Nullable Duration after, Instant now) {
        return since != null && after != null && !since.plus(after).isAfter(now);
    }

    private static Policy policy(Incident inc) {
        return inc.policy() == null ? Policy.SILENT : inc.policy();
    }

    private static Instant acknowledgedAt(Incident inc) {
        return Objects.requireNonNull(inc.acknowledged(), "an acknowledged incident has its mark").at();
    }

    /** The incident, if it is there and in one of the allowed states. */
    private static Incident requireStatus(@Nullable Incident inc, String action, Status... allowed) {
        if (inc == null || inc.status() == Status.RESOLVED) {
            throw new IllegalStateException("there is no open incident to " + action);
        }
        if (Stream.of(allowed).noneMatch(s -> s == inc.status())) {
            throw new IllegalStateException("cannot " + action + ": the incident is " + inc.status().label());
        }
        return inc;
    }
}
