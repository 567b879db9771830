package dev.watchdog.incident;

import dev.watchdog.config.WatchdogConfig.Level;
import dev.watchdog.config.WatchdogConfig.Policy;
import dev.watchdog.evaluation.Severity;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Incident.Mark;
import dev.watchdog.incident.Incident.Status;
import dev.watchdog.incident.Notice.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

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
    public record Step(Incident incident, List<Notice> notices, boolean rollBack) {
        public Step {
            notices = List.copyOf(notices);
        }
    }

    /** After a tick: open, update, upgrade, climb, repeat, re-escalate or resolve. */
    public static Step afterTick(Incident current, String releaseId, Map<String, Breach> breaching, Policy policy,
                                 Instant now) {
        List<Notice> notices = new ArrayList<>();
        if (current == null || current.status() == Status.RESOLVED) {
            if (breaching.isEmpty()) {
                return new Step(current, notices, false);
            }
            int number = current == null ? 1 : current.number() + 1;
            Incident opened = new Incident(releaseId + "." + number, releaseId, number, worst(breaching), Status.OPEN,
                    breaching, policy, now, now, 0, null, 0, 0, null, null, null, false, List.of(), null, null);
            return finish(climb(opened, Kind.OPENED, now, notices), notices, false, now);
        }
        Map<String, Breach> rules = new LinkedHashMap<>(current.rules());
        rules.putAll(breaching);
        Incident inc = current.with(current.status(), rules, current.severity(), current.level(), current.ladderStart(),
                current.lastPagedAt(), current.repeats(), current.noticeCount(), current.acknowledged(),
                current.accepted(), current.autoRollbackAsked(), current.decisions(), null, null);
        if (breaching.isEmpty()) {
            return resolve(inc, "recovered", now);
        }
        if (worst(breaching) == Severity.P0 && inc.severity() == Severity.P1) {
            inc = bump(inc.with(inc.status(), inc.rules(), Severity.P0, inc.level(), inc.ladderStart(), inc.lastPagedAt(),
                    inc.repeats(), inc.noticeCount(), inc.acknowledged(), inc.accepted(), inc.autoRollbackAsked(),
                    inc.decisions(), null, null), notices, Kind.UPGRADED, paged(inc), now);
        }
        if (inc.status() == Status.ACCEPTED && worsened(inc, breaching)) {
            inc = inc.with(Status.OPEN, inc.rules(), inc.severity(), 0, now, inc.lastPagedAt(), 0, inc.noticeCount(),
                    null, Map.of(), inc.autoRollbackAsked(), inc.decisions(), null, null);
            inc = climb(inc, Kind.REOPENED, now, notices);
        } else if (inc.status() == Status.ACKNOWLEDGED && due(inc.acknowledged().at(), policy(inc).reescalateAfter(), now)) {
            inc = reescalate(inc, now, notices);
        } else if (inc.status() == Status.OPEN) {
            inc = climb(inc, Kind.ESCALATED, now, notices);
        }
        boolean rollBack = inc.status() == Status.OPEN && inc.severity() == Severity.P1 && !inc.autoRollbackAsked()
                && due(inc.openedAt(), policy(inc).autoRollbackAfter(), now);
        if (rollBack) {
            inc = mark(inc, new Mark("auto_rollback", "watchdog", "unacknowledged for "
                    + dev.watchdog.config.Durations.format(policy(inc).autoRollbackAfter()), now), inc.status());
            inc = inc.with(inc.status(), inc.rules(), inc.severity(), inc.level(), inc.ladderStart(), inc.lastPagedAt(),
                    inc.repeats(), inc.noticeCount(), inc.acknowledged(), inc.accepted(), true, inc.decisions(), null, null);
        }
        return finish(inc, notices, rollBack, now);
    }

    /** Someone has it: paging stops at once. */
    public static Step acknowledge(Incident inc, String who, String reason, Instant now) {
        requireStatus(inc, "acknowledge", Status.OPEN);
        Mark ack = new Mark("ack", who, reason, now);
        Incident acked = mark(inc, ack, Status.ACKNOWLEDGED);
        acked = acked.with(Status.ACKNOWLEDGED, acked.rules(), acked.severity(), acked.level(), acked.ladderStart(),
                acked.lastPagedAt(), acked.repeats(), acked.noticeCount(), ack, acked.accepted(),
                acked.autoRollbackAsked(), acked.decisions(), null, null);
        List<Notice> notices = new ArrayList<>();
        acked = bump(acked, notices, Kind.ACKNOWLEDGED, paged(acked), now);
        return finish(acked, notices, false, now);
    }

    /** The team keeps the release: the breaches as they stand do not page again. */
    public static Step accept(Incident inc, String who, String reason, Instant now) {
        requireStatus(inc, "accept", Status.OPEN, Status.ACKNOWLEDGED);
        Map<String, Severity> accepted = new LinkedHashMap<>();
        inc.rules().values().forEach(b -> accepted.put(b.rule(), b.severity()));
        Incident kept = mark(inc, new Mark("accept", who, reason, now), Status.ACCEPTED);
        kept = kept.with(Status.ACCEPTED, kept.rules(), kept.severity(), kept.level(), kept.ladderStart(),
                kept.lastPagedAt(), kept.repeats(), kept.noticeCount(), null, accepted, kept.autoRollbackAsked(),
                kept.decisions(), null, null);
        List<Notice> notices = new ArrayList<>();
        kept = bump(kept, notices, Kind.ACCEPTED, paged(kept), now);
        return finish(kept, notices, false, now);
    }

    /** The team decided to roll back; the rollback itself goes the way every rollback goes. */
    public static Step rollbackDecided(Incident inc, String who, String reason, Instant now) {
        requireStatus(inc, "roll back", Status.OPEN, Status.ACKNOWLEDGED, Status.ACCEPTED);
        List<Notice> notices = new ArrayList<>();
        Incident decided = bump(mark(inc, new Mark("rollback", who, reason, now), inc.status()), notices,
                Kind.ROLLBACK_DECIDED, paged(inc), now);
        return finish(decided, notices, false, now);
    }

    /** The rollback was answered: done, and resolved; or failed, and everyone on the ladder hears it. */
    public static Step rollbackAnswered(Incident inc, boolean succeeded, Instant now) {
        List<Notice> notices = new ArrayList<>();
        List<String> who = succeeded ? paged(inc) : everyone(inc);
        Incident answered = bump(inc, notices, succeeded ? Kind.ROLLED_BACK : Kind.ROLLBACK_FAILED, who, now);
        answered = answered.with(Status.RESOLVED, answered.rules(), answered.severity(), answered.level(),
                answered.ladderStart(), answered.lastPagedAt(), answered.repeats(), answered.noticeCount(), answered.acknowledged(),
                answered.accepted(), answered.autoRollbackAsked(), answered.decisions(), now,
                succeeded ? "rolled_back" : "rollback_failed");
        return finish(answered, notices, false, now);
    }

    /** The release's watch ended (window, finish, cancel, supersession) with the incident still there. */
    public static Step ended(Incident inc, String why, Instant now) {
        return resolve(inc, why, now);
    }

    private static Step resolve(Incident inc, String why, Instant now) {
        List<Notice> notices = new ArrayList<>();
        Incident resolved = inc.level() > 0 ? bump(inc, notices, Kind.RESOLVED, paged(inc), now) : inc;
        resolved = resolved.with(Status.RESOLVED, resolved.rules(), resolved.severity(), resolved.level(),
                resolved.ladderStart(), resolved.lastPagedAt(), resolved.repeats(), resolved.noticeCount(),
                resolved.acknowledged(), resolved.accepted(), resolved.autoRollbackAsked(), resolved.decisions(), now, why);
        return new Step(resolved.withNextDue(null), notices, false);
    }

    /** Fires every level whose time has come; if none, repeats the current one when its time has come. */
    private static Incident climb(Incident inc, Kind firstKind, Instant now, List<Notice> notices) {
        List<Level> levels = policy(inc).levels();
        Duration elapsed = Duration.between(inc.ladderStart(), now);
        boolean fired = false;
        while (inc.level() < levels.size() && levels.get(inc.level()).after().compareTo(elapsed) <= 0) {
            int level = inc.level() + 1;
            Kind kind = level == 1 ? firstKind : Kind.ESCALATED;
            inc = inc.with(inc.status(), inc.rules(), inc.severity(), level, inc.ladderStart(), now, 0, inc.noticeCount(),
                    inc.acknowledged(), inc.accepted(), inc.autoRollbackAsked(), inc.decisions(), null, null);
            inc = bump(inc, notices, kind, levels.get(level - 1).receivers(), now);
            fired = true;
        }
        Duration repeat = policy(inc).repeat();
        if (!fired && inc.level() > 0 && due(inc.lastPagedAt(), repeat, now)) {
            inc = inc.with(inc.status(), inc.rules(), inc.severity(), inc.level(), inc.ladderStart(), now,
                    inc.repeats() + 1, inc.noticeCount(), inc.acknowledged(), inc.accepted(), inc.autoRollbackAsked(),
                    inc.decisions(), null, null);
            inc = bump(inc, notices, Kind.REPEATED, levels.get(inc.level() - 1).receivers(), now);
        }
        return inc;
    }

    private static Incident reescalate(Incident inc, Instant now, List<Notice> notices) {
        List<Level> levels = policy(inc).levels();
        int level = Math.min(inc.level() + 1, levels.size());
        if (level == 0) {
            return inc;
        }
        Instant ladder = now.minus(levels.get(level - 1).after());
        Incident again = inc.with(Status.OPEN, inc.rules(), inc.severity(), level, ladder, now, 0, inc.noticeCount(),
                null, inc.accepted(), inc.autoRollbackAsked(), inc.decisions(), null, null);
        return bump(again, notices, Kind.REESCALATED, levels.get(level - 1).receivers(), now);
    }

    /** Adds a notice with the next key of the incident's sequence. */
    private static Incident bump(Incident inc, List<Notice> notices, Kind kind, List<String> receivers, Instant now) {
        int n = inc.noticeCount() + 1;
        if (!receivers.isEmpty()) {
            notices.add(new Notice(inc.id() + ":" + n + ":" + kind.label(), kind, receivers, inc.level(), inc.id(), null));
        }
        return inc.with(inc.status(), inc.rules(), inc.severity(), inc.level(), inc.ladderStart(), inc.lastPagedAt(),
                inc.repeats(), n, inc.acknowledged(), inc.accepted(), inc.autoRollbackAsked(), inc.decisions(),
                inc.resolvedAt(), inc.resolution());
    }

    private static Incident mark(Incident inc, Mark mark, Status status) {
        List<Mark> marks = new ArrayList<>(inc.decisions());
        marks.add(mark);
        return inc.with(status, inc.rules(), inc.severity(), inc.level(), inc.ladderStart(), inc.lastPagedAt(),
                inc.repeats(), inc.noticeCount(), inc.acknowledged(), inc.accepted(), inc.autoRollbackAsked(), marks,
                inc.resolvedAt(), inc.resolution());
    }

    private static Step finish(Incident inc, List<Notice> notices, boolean rollBack, Instant now) {
        return new Step(inc.withNextDue(nextDue(inc, now)), notices, rollBack);
    }

    /** When the next step can change something: for operators, and for a restart to resume on time. */
    static Instant nextDue(Incident inc, Instant now) {
        Policy p = policy(inc);
        List<Instant> candidates = new ArrayList<>();
        if (inc.status() == Status.OPEN) {
            if (inc.level() < p.levels().size()) {
                candidates.add(inc.ladderStart().plus(p.levels().get(inc.level()).after()));
            }
            if (p.repeat() != null && inc.level() > 0) {
                candidates.add(inc.lastPagedAt().plus(p.repeat()));
            }
            if (p.autoRollbackAfter() != null && inc.severity() == Severity.P1 && !inc.autoRollbackAsked()) {
                candidates.add(inc.openedAt().plus(p.autoRollbackAfter()));
            }
        } else if (inc.status() == Status.ACKNOWLEDGED && p.reescalateAfter() != null) {
            candidates.add(inc.acknowledged().at().plus(p.reescalateAfter()));
        }
        return candidates.stream().min(Instant::compareTo).orElse(null);
    }

    /** Everyone notified so far; the first level if nobody yet. */
    static List<String> paged(Incident inc) {
        List<Level> levels = policy(inc).levels();
        int upTo = Math.max(1, inc.level());
        Set<String> who = new LinkedHashSet<>();
        levels.stream().limit(upTo).forEach(l -> who.addAll(l.receivers()));
        return List.copyOf(who);
    }

    private static List<String> everyone(Incident inc) {
        return List.copyOf(policy(inc).levels().stream().flatMap(l -> l.receivers().stream())
                .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)));
    }

    private static boolean worsened(Incident inc, Map<String, Breach> breaching) {
        return breaching.values().stream().anyMatch(b -> {
            Severity before = inc.accepted().get(b.rule());
            return before == null || b.severity().compareTo(before) > 0;
        });
    }

    private static Severity worst(Map<String, Breach> breaching) {
        return breaching.values().stream().map(Breach::severity).reduce(Severity.NONE, Severity::worst);
    }

    private static boolean due(Instant since, Duration after, Instant now) {
        return since != null && after != null && !since.plus(after).isAfter(now);
    }

    private static Policy policy(Incident inc) {
        return inc.policy() == null ? Policy.SILENT : inc.policy();
    }

    private static void requireStatus(Incident inc, String action, Status... allowed) {
        if (inc == null || inc.status() == Status.RESOLVED) {
            throw new IllegalStateException("there is no open incident to " + action);
        }
        if (Stream.of(allowed).noneMatch(s -> s == inc.status())) {
            throw new IllegalStateException("cannot " + action + ": the incident is " + inc.status().label());
        }
    }
}
