package dev.watchdog.machine;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release.State;
import dev.watchdog.core.Release.Verdict;
import dev.watchdog.core.Release;
import dev.watchdog.core.Severity;
import dev.watchdog.incident.Escalator;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.incident.Policy;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.machine.Step.Refused;
import dev.watchdog.release.Event;
import dev.watchdog.release.RollbackRecord.Reason;
import dev.watchdog.rules.RuleSet;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The part of the state machine that time and Prometheus drive: rules judged from what was
 * observed; incidents opened, climbed and resolved; degraded, healthy and passed; a P0 rolled
 * back; a rollback verified; a failed one made loud. Pure.
 */
final class Judging {

    private final Context ctx;
    private final Machine machine;

    Judging(Context ctx, Machine machine) {
        this.ctx = ctx;
        this.machine = machine;
    }

    /** What was observed: judged while watched, or while a rollback is being verified. */
    Step observe(Draft d, Map<String, Observation> seen) {
        if (d.watch.release().state().watched()) {
            judge(d, seen, rule -> true);
            return advance(d);
        }
        Verification v = d.watch.verification();
        if (v != null && v.state() == Verification.State.PENDING) {
            judge(d, seen, v.rules()::contains);
            return advance(d);
        }
        return new Refused("release " + d.id() + " is " + d.watch.release().state().label() + ", not judged");
    }

    /** Time passed: what is due now, in whatever state the release is. */
    Step advance(Draft d) {
        State state = d.watch.release().state();
        if (state.watched()) {
            advanceWatched(d);
        } else if (state == State.ROLLED_BACK) {
            verify(d);
            climb(d);
        } else if (d.watch.held()) {
            climb(d);
        } else {
            return new Refused("release " + d.id() + " is " + state.label() + ": nothing is due");
        }
        return d.moved();
    }

    private void judge(Draft d, Map<String, Observation> seen, Predicate<String> which) {
        Release r = d.watch.release();
        Map<String, RuleState> states = new LinkedHashMap<>(d.watch.rules());
        RuleSet rules = rules(d);
        // In the rule files' order, whatever order the observations came in: the timeline reads the same every time.
        rules.rules().stream().filter(rule -> seen.containsKey(rule.name()) && which.test(rule.name())).forEach(rule -> {
            String name = rule.name();
            RuleState before = states.get(name);
            RuleState prev = before == null ? RuleState.initial(name, r.startedAt()) : before;
            Observation observed = Objects.requireNonNull(seen.get(name), "only rules seen are judged");
            RuleState next = Judge.judge(rule, prev, observed, d.now, r.startedAt());
            states.put(name, next);
            if (before == null || before.outcome() != next.outcome()) {
                Timeline.outcome(d, rule, next);
            }
        });
        d.watch = d.watch.withRules(states);
    }

    /** A watched release after its rules were judged, or as time passes. */
    private void advanceWatched(Draft d) {
        Map<String, Breach> breaches = fromBefore(d, breaches(rules(d), d.watch.rules()));
        Severity worst = breaches.values().stream().map(Breach::severity).reduce(Severity.NONE, Severity::worst);
        Policy policy = ctx.policy(d.watch.release().policy());
        Escalator.Step step = Escalator.afterTick(d.watch.incident(), d.id(), breaches, policy, d.now);
        d.watch = d.watch.with(step.incident());
        Incident inc = step.incident();
        Severity paging = inc != null && inc.open() ? inc.severity() : Severity.NONE;
        Lifecycle moved = lifecycle(d, worst == Severity.P0 ? Severity.P0 : paging, judgedAny(d));
        notifyIncident(d, step.notices());
        Incident open = Machine.openIncident(d.watch);
        if (!d.watch.release().state().open() && open != null) {
            Escalator.Step ended = Escalator.ended(open, "window_ended", d.now);
            d.watch = d.watch.with(ended.incident());
            notifyIncident(d, ended.notices());
        }
        announce(d, moved.verdict(), moved.passed());
        if (worst == Severity.P0) {
            machine.requestRollback(d, p0Reason(breaches), "watchdog");
        } else if (step.rollBack()) {
            machine.requestRollback(d, reasonOf(inc), "watchdog (P1 unacknowledged)");
        }
    }

    /** Which lifecycle moves one step made: the verdict given, the window ended. */
    private record Lifecycle(boolean verdict, boolean passed) {}

    /**
     * Degraded while a P1 pages, back to watching when it stops; at the bake healthy, or unjudged if
     * no rule ever had anything to judge ({@code judged} false); passed at the window's end.
     */
    private static Lifecycle lifecycle(Draft d, Severity paging, boolean judged) {
        Release r = d.watch.release();
        if (paging == Severity.P0) {
            return new Lifecycle(false, false);
        }
        if (paging == Severity.P1 && r.state() == State.WATCHING) {
            r = r.withState(State.DEGRADED, d.now);
            d.event(Event.Type.DEGRADED, "a P1 breach is open: the team decides");
        } else if (paging == Severity.NONE && r.state() == State.DEGRADED) {
            r = r.withState(State.WATCHING, d.now);
            d.event(Event.Type.RECOVERED, "every rule has recovered");
        }
        boolean verdict = r.state() == State.WATCHING && r.verdict() == null && !d.now.isBefore(r.bakeUntil());
        if (verdict && judged) {
            r = r.withVerdict(Verdict.HEALTHY);
            d.event(Event.Type.VERDICT, "healthy: the bake time passed with nothing open");
        } else if (verdict) {
            r = r.withVerdict(Verdict.UNJUDGED);
            d.event(Event.Type.VERDICT, "unjudged: the bake time passed and no rule had anything to judge"
                    + " (no data, or every guard unmet)");
        }
        boolean passed = r.state() == State.WATCHING && !d.now.isBefore(r.windowUntil());
        if (passed) {
            r = r.withState(State.PASSED, d.now);
            d.event(Event.Type.PASSED, r.verdict() == Verdict.UNJUDGED && !judged
                    ? "the window ended and no rule had anything to judge" : "the window ended with nothing open");
        }
        d.watch = d.watch.with(r);
        return new Lifecycle(verdict, passed);
    }

    /** Whether any rule that acts on this release has ever had something to judge. */
    private boolean judgedAny(Draft d) {
        return rules(d).rules().stream().filter(rule -> !rule.dryRun()).map(rule -> d.watch.rules().get(rule.name()))
                .anyMatch(s -> s != null && s.everJudged());
    }

    /** The rollback was done: the incident resolved, and what breached is watched until it recovers. */
    void rolledBack(Draft d) {
        Release r = d.watch.release().withState(State.ROLLED_BACK, d.now).withVerdict(Verdict.ROLLED_BACK);
        d.watch = d.watch.with(r);
        Set<String> breached = breaches(rules(d), d.watch.rules()).keySet();
        Incident inc = Machine.openIncident(d.watch);
        if (inc != null) {
            Escalator.Step step = Escalator.rolledBack(inc, d.now);
            d.watch = d.watch.with(step.incident());
            notifyIncident(d, step.notices());
        }
        Duration verify = ctx.verify(r.rollbackTarget());
        if (!verify.isZero() && !breached.isEmpty()) {
            Verification v = new Verification(Verification.State.PENDING, d.now.plus(verify), List.copyOf(breached));
            d.watch = d.watch.with(v);
            d.event(Event.Type.VERIFICATION, "checking that the rollback brings " + String.join(", ", breached) + " back by "
                            + v.until().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    Map.of("state", v.state().label(), "until", v.until().toString()));
        }
    }

    /** The rollback failed for good: never quiet. The incident becomes a P0 that pages everyone until a person decides. */
    void rollbackFailed(Draft d) {
        Release r = d.watch.release().withState(State.ROLLBACK_FAILED, d.now).withVerdict(Verdict.FAILED);
        d.watch = d.watch.with(r);
        raise(d, Incident.Cause.ROLLBACK_FAILED, breaches(rules(d), d.watch.rules()));
    }

    /** Recovered as soon as every rule that breached is healthy again; not recovered when time is up. */
    private void verify(Draft d) {
        Verification v = d.watch.verification();
        if (v == null || v.state() != Verification.State.PENDING) {
            return;
        }
        boolean recovered = v.rules().stream().map(d.watch.rules()::get)
                .allMatch(s -> s != null && s.outcome() == Outcome.OK && s.level() == Severity.NONE);
        if (recovered) {
            d.watch = d.watch.with(v.ended(Verification.State.RECOVERED));
            d.event(Event.Type.VERIFICATION, "the rollback restored health: " + String.join(", ", v.rules()) + " ok again",
                    Map.of("state", "recovered"));
        } else if (!d.now.isBefore(v.until())) {
            d.watch = d.watch.with(v.ended(Verification.State.NOT_RECOVERED));
            d.event(Event.Type.VERIFICATION, "the rollback did not restore health by " + v.until(),
                    Map.of("state", "not_recovered"));
            Map<String, Breach> still = new LinkedHashMap<>();
            v.rules().forEach(name -> still.put(name, breach(rules(d), d.watch.rules().get(name), name)));
            raise(d, Incident.Cause.NOT_RECOVERED, still);
        }
    }

    private void raise(Draft d, Incident.Cause cause, Map<String, Breach> breaches) {
        Policy policy = ctx.policy(d.watch.release().policy());
        Escalator.Step step = Escalator.raise(d.watch.incident(), d.id(), cause, breaches, policy, d.now);
        d.watch = d.watch.with(step.incident());
        notifyIncident(d, step.notices());
    }

    /** The ladder of an incident on a release that is not being judged. */
    private void climb(Draft d) {
        Escalator.Step step = Escalator.timePassed(d.watch.incident(), d.now);
        d.watch = d.watch.with(step.incident());
        notifyIncident(d, step.notices());
    }

    void announce(Draft d, boolean verdict, boolean passed) {
        Policy policy = ctx.policy(d.watch.release().policy());
        Announcements.Due due = Announcements.due(d.watch, verdict, passed, policy, ctx.blindAfter(), d.now);
        d.watch = d.watch.withAnnounced(due.announced());
        notify(d, due.notices(), n -> Messages.release(n, d.watch.release(), d.watch.rules(), d.watch.before(), rules(d),
                policy.summary(), ctx.apiBase(), d.now));
    }

    void notifyIncident(Draft d, List<Notice> notices) {
        Incident inc = d.watch.incident();
        notify(d, notices, n -> Messages.incident(n, Objects.requireNonNull(inc, "an incident's notices come with it"),
                d.watch.release(), rules(d), d.watch.rules(), ctx.apiBase(), d.now));
    }

    /** Each notice on the timeline, and one notification per receiver that takes it. */
    private void notify(Draft d, List<Notice> notices, Function<Notice, Message> say) {
        for (Notice n : notices) {
            Timeline.notice(d, n);
            Message message = say.apply(n);
            n.receivers().stream().filter(receiver -> ctx.takes(receiver, n.kind(), d.watch.incident()))
                    .forEach(receiver -> d.effect(new Effect.Notify(Notification.of(n, d.id(), receiver, message, d.now))));
        }
    }

    /** The rules that judge this release: those whose group's match it meets. */
    private RuleSet rules(Draft d) {
        return ctx.rules().forRelease(d.watch.release());
    }

    /** Every rule whose counted level is P1 or P0, with its value and the threshold it breached; dry runs left out. */
    static Map<String, Breach> breaches(RuleSet ruleSet, Map<String, RuleState> states) {
        Map<String, Breach> out = new LinkedHashMap<>();
        ruleSet.rules().stream().map(rule -> states.get(rule.name()))
                .filter(s -> s != null && s.level() != Severity.NONE && acts(ruleSet, s.rule()))
                .forEach(s -> out.put(s.rule(), breach(ruleSet, s, s.rule())));
        return out;
    }

    private static Breach breach(RuleSet ruleSet, @Nullable RuleState s, String name) {
        Severity level = s == null || s.level() == Severity.NONE ? Severity.P0 : s.level();
        String threshold = ruleSet.byName(name).map(r -> Judge.thresholdOf(r, level)).orElse("");
        return new Breach(name, level, s == null ? null : s.value(), s == null ? null : s.baseline(), threshold);
    }

    private static boolean acts(RuleSet ruleSet, String rule) {
        return ruleSet.byName(rule).map(r -> !r.dryRun()).orElse(false);
    }

    /** Why a P0 rolls back: the first of its P0 breaches by name. */
    private static Reason p0Reason(Map<String, Breach> breaches) {
        Breach cause = breaches.values().stream().filter(b -> b.severity() == Severity.P0)
                .min(Comparator.comparing(Breach::rule)).orElseThrow();
        return new Reason(cause.rule(), "P0", cause.value(), cause.threshold());
    }

    /**
     * A P0 already there when the release was registered (a hotfix into an outage) pages people as a
     * P1 does, rather than rolling back to a version that had it too, unless the policy says
     * {@code preexisting: rollback}. One that appears only after the release rolls back as always.
     */
    private Map<String, Breach> fromBefore(Draft d, Map<String, Breach> breaches) {
        Before before = d.watch.before();
        if (before == null || ctx.policy(d.watch.release().policy()).preexisting() == Policy.Preexisting.ROLLBACK) {
            return breaches;
        }
        Map<String, Breach> out = new LinkedHashMap<>();
        breaches.forEach((name, b) -> out.put(name, b.severity() == Severity.P0 && before.p0(name) ? b.fromBefore() : b));
        return out;
    }

    /** Why an incident is rolled back: its most severe rule. */
    static Reason reasonOf(@Nullable Incident incident) {
        if (incident == null || incident.rules().isEmpty()) {
            return Reason.TEAM;
        }
        Breach lead = incident.rules().values().stream().max(Comparator.comparing(Breach::severity)).orElseThrow();
        return new Reason(lead.rule(), lead.severity().name().toUpperCase(Locale.ROOT), lead.value(), lead.threshold());
    }
}
