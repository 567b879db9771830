package dev.watchdog.evaluation;

import dev.watchdog.action.Notifier;
import dev.watchdog.action.Rollbacks;
import dev.watchdog.config.WatchdogConfig.Policy;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.incident.Escalator;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.release.Event;
import dev.watchdog.release.Lifecycle;
import dev.watchdog.release.Release;
import dev.watchdog.release.Releases;
import dev.watchdog.release.RollbackRecord.Reason;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.Change;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One tick: every due rule of every watched release is queried (identical queries once), judged,
 * recorded, and acted on. A tick's cost grows with its distinct queries, not releases times rules.
 */
public final class Evaluator {

    private final Releases releases;
    private final Supplier<RuleSet> rules;
    private final PrometheusClient prometheus;
    private final Rollbacks rollbacks;
    private final WatchdogMetrics metrics;
    private final Notifier notifier;
    private final Function<String, Policy> policies;
    private final Clock clock;
    private final Duration defaultInterval;
    private final Duration blindAfter;

    /** {@code policies} gives the escalation policy of a name (the silent one for an unknown name). */
    public Evaluator(Releases releases, Supplier<RuleSet> rules, PrometheusClient prometheus, Rollbacks rollbacks,
                     Notifier notifier, Function<String, Policy> policies, WatchdogMetrics metrics, Clock clock,
                     WatchdogConfig.Evaluation config) {
        this.releases = releases;
        this.rules = rules;
        this.prometheus = prometheus;
        this.rollbacks = rollbacks;
        this.notifier = notifier;
        this.policies = policies;
        this.metrics = metrics;
        this.clock = clock;
        this.defaultInterval = config.interval();
        this.blindAfter = config.blindAfter();
    }

    /** Evaluates every watched release at the clock's now; completes when all is recorded. */
    public Future<Void> tick() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        PrometheusClient.Batch batch = prometheus.batch(now);
        RuleSet ruleSet = rules.get();
        List<Future<Boolean>> work = releases.watched().stream()
                .map(release -> evaluate(release, ruleSet, batch, now))
                .toList();
        notifier.resendFiring();
        return Future.join(work).transform(ar -> {
            boolean allAnswered = work.stream().allMatch(f -> f.succeeded() && f.result());
            metrics.evaluated((System.nanoTime() - started) / 1e9, allAnswered, now);
            return Future.succeededFuture();
        });
    }

    /** Judges a release's due rules; true if every query was answered. */
    private Future<Boolean> evaluate(Release release, RuleSet ruleSet, PrometheusClient.Batch batch, Instant now) {
        Map<String, RuleState> previous = releases.liveRuleStates(release.id());
        List<Future<RuleState>> judged = new ArrayList<>();
        for (Rule rule : ruleSet.rules()) {
            RuleState prev = previous.getOrDefault(rule.name(), RuleState.initial(rule.name(), release.startedAt()));
            if (due(rule, prev, now)) {
                judged.add(Observer.observe(rule, release, prev, batch::query, now)
                        .map(seen -> Judge.judge(rule, prev, seen, now, release.startedAt())));
            }
        }
        return Future.all(judged).compose(all -> {
            List<RuleState> states = judged.stream().map(Future::result).toList();
            return apply(release.id(), ruleSet, states, now)
                    .map(x -> states.stream().noneMatch(s -> s.outcome() == Outcome.ERROR));
        });
    }

    private boolean due(Rule rule, RuleState prev, Instant now) {
        if (prev.evaluatedAt() == null) {
            return true;
        }
        Duration interval = rule.interval().orElse(defaultInterval);
        // Half a tick of slack, so that timer jitter does not skip a whole interval.
        return !prev.evaluatedAt().plus(interval).minus(defaultInterval.dividedBy(2)).isAfter(now);
    }

    /**
     * Records the judged states against the release as it stands now (it may have ended meanwhile),
     * steps its incident and lifecycle, stores all of it as one change, and only then notifies and
     * rolls back.
     */
    private Future<Void> apply(String id, RuleSet ruleSet, List<RuleState> judged, Instant now) {
        Release release = releases.current(id).orElse(null);
        if (release == null || !release.state().watched()) {
            return Future.succeededFuture();
        }
        Map<String, RuleState> all = new LinkedHashMap<>(releases.liveRuleStates(id));
        List<Event> events = new ArrayList<>();
        for (RuleState state : judged) {
            RuleState before = all.put(state.rule(), state);
            if (before == null || before.outcome() != state.outcome()) {
                events.add(outcomeEvent(release, ruleSet, state, now));
            }
        }
        // A dry-run rule is judged and shown, but never opens an incident nor rolls back.
        Severity worst = all.values().stream().filter(st -> acts(ruleSet, st.rule())).map(RuleState::level)
                .reduce(Severity.NONE, Severity::worst);
        Policy policy = policies.apply(release.policy());
        Incident before = releases.liveIncident(id).orElse(null);
        Escalator.Step step = Escalator.afterTick(before, id, breaches(ruleSet, all), policy, now);
        Incident incident = step.incident();
        Severity paging = incident != null && incident.open() ? incident.severity() : Severity.NONE;
        Lifecycle.Transition next = Lifecycle.next(release, worst == Severity.P0 ? Severity.P0 : paging, now);
        List<Notice> notices = new ArrayList<>(step.notices());
        if (!next.release().state().open() && incident != null && incident.status() != Incident.Status.RESOLVED) {
            Escalator.Step ended = Escalator.ended(incident, "window_ended", now);
            incident = ended.incident();
            notices.addAll(ended.notices());
        }
        events.addAll(next.events());
        notices.forEach(n -> events.add(Event.notice(release, n, now)));
        Announcements.Due due = Announcements.due(next.release(), next.events(), all, policy, blindAfter, now);
        due.notices().forEach(n -> events.add(Event.notice(release, n, now)));
        Release updated = due.release();
        List<Notification> notifications = new ArrayList<>(notifier.prepare(updated, incident, notices));
        notifications.addAll(notifier.prepare(updated, all, policy.summary(), due.notices()));
        Incident changed = Objects.equals(incident, before) ? null : incident;
        Future<List<Event>> saved = releases.save(new Change(updated, judged, changed, notifications, events));
        Incident current = incident;
        // Effects follow the store; the rollback is not awaited: its retries must not hold up the next tick.
        return saved.onSuccess(x -> {
            notifier.send(notifications);
            if (worst == Severity.P0) {
                rollbacks.request(updated, p0Reason(ruleSet, all), "watchdog");
            } else if (step.rollBack()) {
                rollbacks.request(updated, Reason.of(current), "watchdog (P1 unacknowledged)");
            }
        }).mapEmpty();
    }

    /** Every rule whose counted level is P1 or P0, with its value and the threshold it breached. */
    private static Map<String, Breach> breaches(RuleSet ruleSet, Map<String, RuleState> states) {
        Map<String, Breach> out = new LinkedHashMap<>();
        states.values().stream()
                .filter(s -> s.level() != Severity.NONE)
                .filter(s -> acts(ruleSet, s.rule()))
                .forEach(s -> out.put(s.rule(), new Breach(s.rule(), s.level(), s.value(), s.baseline(),
                        ruleSet.byName(s.rule()).map(r -> Judge.thresholdOf(r, s.level())).orElse(""))));
        return out;
    }

    private static boolean acts(RuleSet ruleSet, String rule) {
        return ruleSet.byName(rule).map(r -> !r.dryRun()).orElse(false);
    }

    private static Reason p0Reason(RuleSet ruleSet, Map<String, RuleState> all) {
        RuleState cause = all.values().stream().filter(s -> s.level() == Severity.P0 && acts(ruleSet, s.rule()))
                .min(Comparator.comparing(RuleState::rule)).orElseThrow();
        String threshold = ruleSet.byName(cause.rule()).map(r -> Judge.thresholdOf(r, Severity.P0)).orElse("");
        return new Reason(cause.rule(), "P0", cause.value(), threshold);
    }

    private static Event outcomeEvent(Release release, RuleSet ruleSet, RuleState state, Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("rule", state.rule());
        data.put("outcome", state.outcome().label());
        if (state.value() != null) {
            data.put("value", state.value());
        }
        if (state.baseline() != null) {
            data.put("baseline", state.baseline());
        }
        if (state.message() != null) {
            data.put("message", state.message());
        }
        String threshold = ruleSet.byName(state.rule()).map(r -> Judge.thresholdFor(r, state.value(), state.baseline())).orElse("");
        data.put("threshold", threshold);
        String baseline = state.baseline() == null ? "" : ", baseline " + String.format(Locale.ROOT, "%.4g",
                state.baseline());
        String detail = state.value() != null ? " (value " + String.format(Locale.ROOT, "%.4g", state.value())
                + baseline + ", threshold " + threshold + ")" : state.message() != null ? " (" + state.message() + ")" : "";
        boolean dryRun = ruleSet.byName(state.rule()).map(Rule::dryRun).orElse(false);
        return Event.of(release, now, "outcome", state.rule() + " is " + state.outcome().label() + detail
                + (dryRun ? " [dry run]" : ""), data);
    }
}
