package dev.watchdog.machine;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Release.State;
import dev.watchdog.core.Release.Verdict;
import dev.watchdog.core.Release;
import dev.watchdog.incident.DeployNoise;
import dev.watchdog.incident.Escalator;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notification;
import dev.watchdog.machine.Input.Accept;
import dev.watchdog.machine.Input.Ack;
import dev.watchdog.machine.Input.Cancel;
import dev.watchdog.machine.Input.DecideRollback;
import dev.watchdog.machine.Input.Finish;
import dev.watchdog.machine.Input.NotificationAnswered;
import dev.watchdog.machine.Input.Observe;
import dev.watchdog.machine.Input.Register;
import dev.watchdog.machine.Input.RollbackAnswered;
import dev.watchdog.machine.Input.Supersede;
import dev.watchdog.machine.Input.Tick;
import dev.watchdog.machine.Step.Refused;
import dev.watchdog.release.Event;
import dev.watchdog.release.RollbackRecord.Reason;
import dev.watchdog.release.RollbackRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A release's life as one pure function: {@link #step} takes the release as it stands (with its
 * rules, incident and rollback), one {@link Input}, and {@code now}, and returns where it goes and
 * the {@link Effect}s to perform, or a refusal. Every state change of the contract happens here and
 * nowhere else; what judging and passing time do is in {@link Judging}.
 */
public final class Machine {

    private final Context ctx;
    private final Judging judging;

    public Machine(Context ctx) {
        this.ctx = ctx;
        this.judging = new Judging(ctx, this);
    }

    /** The step for {@code input} on {@code current} (null only for a {@link Register}). */
    public Step step(@Nullable Watch current, Input input, Instant now) {
        if (input instanceof Register r) {
            return current == null ? register(r, now) : new Refused("release " + current.id() + " exists");
        }
        if (current == null) {
            return new Refused("no such release");
        }
        Draft d = new Draft(current, now);
        if (input instanceof Observe o) {
            return judging.observe(d, o.seen());
        } else if (input instanceof Tick) {
            return judging.advance(d);
        } else if (input instanceof Supersede s) {
            return supersede(d, s);
        } else if (input instanceof Finish f) {
            return end(d, State.PASSED, Event.Type.FINISHED, f.who(), f.reason());
        } else if (input instanceof Cancel c) {
            return end(d, State.CANCELLED, Event.Type.CANCELLED, c.who(), c.reason());
        } else if (input instanceof Ack a) {
            return acknowledge(d, a);
        } else if (input instanceof Accept a) {
            return accept(d, a);
        } else if (input instanceof DecideRollback r) {
            return decideRollback(d, r);
        } else if (input instanceof RollbackAnswered a) {
            return rollbackAnswered(d, a);
        } else if (input instanceof NotificationAnswered n) {
            return Answers.notification(d, n);
        } else if (input instanceof Input.SilenceAnswered a) {
            return Answers.silence(d, a);
        }
        throw new IllegalArgumentException("unknown input " + input);
    }

    private Step register(Register input, Instant now) {
        Release release = input.release();
        Before before = Before.of(ctx.rules().forRelease(release), input.before());
        Draft d = new Draft(Watch.of(release).with(before), now);
        d.event(Event.Type.REGISTERED, "watching " + release.service() + " " + release.version() + " in "
                + release.environment() + " for " + Durations.format(release.window()));
        if (before != null) {
            d.event(Event.Type.BEFORE_RELEASE, Messages.before(before, release, ctx.rules()).get(0));
        }
        DeployNoise noise = ctx.policy(release.policy()).deployNoise();
        if (noise != null) {
            d.effect(new Effect.Silence(release.id() + ":silence", release.id(), noise.alertmanager(),
                    noise.matchersFor(release.service(), release.environment()), release.bakeUntil(),
                    "expected deploy noise of " + release.service() + " " + release.version() + " in "
                            + release.environment() + " (release " + release.id() + "), silenced until the bake ends"));
        }
        judging.announce(d, false, false);
        return d.moved();
    }

    /** The deploy's noise is real trouble now (a rollback), or the watch ended: its silence goes early. */
    private void unsilence(Draft d, String why) {
        Release r = d.watch.release();
        DeployNoise noise = ctx.policy(r.policy()).deployNoise();
        if (noise != null && d.now.isBefore(r.bakeUntil())) {
            d.effect(new Effect.Unsilence(r.id() + ":unsilence", r.id(), noise.alertmanager(), why));
        }
    }

    private Step supersede(Draft d, Supersede s) {
        if (!d.watch.release().state().watched()) {
            return notWatched(d);
        }
        d.watch = d.watch.with(d.watch.release().supersededBy(s.by(), d.now));
        endIncident(d, "superseded");
        unsilence(d, "superseded");
        d.event(Event.Type.SUPERSEDED, "superseded by " + s.by() + " (" + s.version() + ")", Map.of("by", s.by()));
        judging.announce(d, false, false);
        return d.moved();
    }

    /** Finish (passed, healthy) or cancel (no verdict): only a watched release. */
    private Step end(Draft d, State to, Event.Type type, String who, @Nullable String reason) {
        if (!d.watch.release().state().watched()) {
            return notWatched(d);
        }
        Release ended = d.watch.release().withState(to, d.now);
        d.watch = d.watch.with(to == State.PASSED ? ended.withVerdict(Verdict.HEALTHY) : ended);
        endIncident(d, type.label());
        unsilence(d, type.label());
        d.event(type, type.label() + " by " + who, decision(who, reason, null));
        return d.moved();
    }

    private Step acknowledge(Draft d, Ack a) {
        Incident inc = d.watch.incident();
        try {
            Escalator.Step step = Escalator.acknowledge(inc, a.who(), a.reason(), d.now);
            return decided(d, step, Event.Type.ACKNOWLEDGED, a.who(), a.reason());
        } catch (IllegalStateException e) {
            return new Refused(Objects.requireNonNull(e.getMessage(), "the escalator says why it refuses"));
        }
    }

    /**
     * Keep the release: on a watched one the breaches as they stand page no more; on a failed or
     * unrecovered rollback, a person has taken it over, and the incident is resolved.
     */
    private Step accept(Draft d, Accept a) {
        if (d.watch.release().state() == State.ROLLING_BACK) {
            return new Refused("a rollback of release " + d.id() + " is under way");
        }
        try {
            Escalator.Step step = Escalator.accept(d.watch.incident(), a.who(), a.reason(), d.now);
            Release r = d.watch.release();
            if (r.state() == State.DEGRADED) {
                d.watch = d.watch.with(r.withState(State.WATCHING, d.now));
            }
            return decided(d, step, Event.Type.ACCEPTED, a.who(), a.reason());
        } catch (IllegalStateException e) {
            return new Refused(Objects.requireNonNull(e.getMessage(), "the escalator says why it refuses"));
        }
    }

    /** Roll back a watched release now, or try a failed rollback again with the same key and body. */
    private Step decideRollback(Draft d, DecideRollback r) {
        State state = d.watch.release().state();
        if (!state.watched() && state != State.ROLLBACK_FAILED) {
            return new Refused("release " + d.id() + " is " + state.label() + ": there is nothing to roll back");
        }
        Incident inc = openIncident(d.watch);
        if (inc != null) {
            decided(d, Escalator.rollbackDecided(inc, r.who(), r.reason(), d.now), Event.Type.ROLLBACK_DECIDED, r.who(),
                    r.reason());
        } else {
            d.event(Event.Type.ROLLBACK_DECIDED, "rollback decided by " + r.who(), decision(r.who(), r.reason(), null));
        }
        if (state == State.ROLLBACK_FAILED) {
            retryRollback(d);
        } else {
            requestRollback(d, Judging.reasonOf(inc), r.who());
        }
        return d.moved();
    }

    /** Asks the release's rollback target to roll it back; the one way every first rollback starts. */
    void requestRollback(Draft d, Reason reason, String by) {
        Release rollingBack = d.watch.release().withState(State.ROLLING_BACK, d.now);
        RollbackRecord record = RollbackRecord.requested(rollingBack, reason, by, d.now);
        d.watch = d.watch.with(record).with(rollingBack);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("rule", reason.rule());
        data.put("severity", reason.severity());
        data.put("value", reason.value());
        data.put("threshold", reason.threshold());
        data.put("by", by);
        data.values().removeIf(v -> v == null);
        d.event(Event.Type.ROLLBACK_REQUESTED, "rollback requested: " + (reason.rule() == null ? "decided by " + by
                : reason.rule() + " " + reason.severity()), data);
        d.effect(call(d.watch.release(), record));
        unsilence(d, "rolling back");
    }

    private void retryRollback(Draft d) {
        RollbackRecord failed = Objects.requireNonNull(d.watch.rollback(), "a failed rollback has its record");
        RollbackRecord record = failed.retried();
        Release r = d.watch.release().withState(State.ROLLING_BACK, d.now).withVerdict(null);
        d.watch = d.watch.with(record).with(r);

        d.event(Event.Type.ROLLBACK_REQUESTED, "rollback tried again (try " + record.round() + ", same Idempotency-Key)",
                Map.of("key", record.key(), "round", record.round()));
        d.effect(call(r, record));
    }

    private Step rollbackAnswered(Draft d, RollbackAnswered a) {
        d.settle(a.effect(), a.answer());
        RollbackRecord record = d.watch.rollback();
        if (d.watch.release().state() != State.ROLLING_BACK || record == null || !record.effectId().equals(a.effect())) {
            return d.moved();
        }
        Answer answer = a.answer();
        d.watch = d.watch.with(record.answered(answer.delivered(), answer.attempts(), answer.error(), d.now));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("attempts", answer.attempts());
        data.put("status", answer.httpStatus());
        if (answer.error() != null) {
            data.put("error", answer.error());
        }
        String outcome = answer.delivered() ? "succeeded" : "failed";
        d.event(answer.delivered() ? Event.Type.ROLLBACK_SUCCEEDED : Event.Type.ROLLBACK_FAILED,
                "rollback " + outcome + " after " + answer.attempts() + " attempt(s)", data);
        if (answer.delivered()) {
            judging.rolledBack(d);
        } else {
            judging.rollbackFailed(d);
        }
        return d.moved();
    }

    /** A decision on the incident: stored with who and why, and told to everyone paged so far. */
    private Step decided(Draft d, Escalator.Step step, Event.Type type, String who, @Nullable String reason) {
        Incident decided = Objects.requireNonNull(step.incident(), "a decision is taken on an incident");
        d.event(type, type.label().replace('_', ' ') + " by " + who, decision(who, reason, decided.id()));
        d.watch = d.watch.with(step.incident());
        judging.notifyIncident(d, step.notices());
        return d.moved();
    }

    /** The watch ended with an incident still open: it is resolved, and those paged hear it. */
    private void endIncident(Draft d, String why) {
        Incident inc = openIncident(d.watch);
        if (inc != null) {
            Escalator.Step ended = Escalator.ended(inc, why, d.now);
            d.watch = d.watch.with(ended.incident());
            judging.notifyIncident(d, ended.notices());
        }
    }

    /** Whether a notification is still wanted: a page is not, once its incident is acknowledged or over. */
    public static boolean wanted(@Nullable Watch w, Notification n) {
        if (!n.kind().paging()) {
            return true;
        }
        Incident inc = w == null ? null : w.incident();
        return inc != null && inc.id().equals(n.incidentId()) && inc.status() == Incident.Status.OPEN;
    }

    static @Nullable Incident openIncident(Watch w) {
        Incident inc = w.incident();
        return inc == null || inc.status() == Incident.Status.RESOLVED ? null : inc;
    }

    private static Refused notWatched(Draft d) {
        return new Refused("release " + d.id() + " is " + d.watch.release().state().label() + ", not watched");
    }

    private static Map<String, Object> decision(String who, @Nullable String reason, @Nullable String incident) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("by", who);
        if (incident != null) {
            data.put("incident", incident);
        }
        if (reason != null) {
            data.put("reason", reason);
        }
        return data;
    }

    /** This round's webhook call: the key and body of the first request, the same on every attempt and try. */
    private static Effect.CallRollback call(Release release, RollbackRecord record) {
        return new Effect.CallRollback(record.effectId(), release.id(), record.key(), release.rollbackTarget(),
                record.body());
    }
}
