package dev.watchdog.evaluation;

import dev.watchdog.action.Rollbacks;
import dev.watchdog.evaluation.Observation.Failed;
import dev.watchdog.evaluation.Observation.GuardNotMet;
import dev.watchdog.evaluation.Observation.Values;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.release.Event;
import dev.watchdog.release.Lifecycle;
import dev.watchdog.release.Release;
import dev.watchdog.release.Releases;
import dev.watchdog.release.RollbackRecord.Reason;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final Clock clock;
    private final Duration defaultInterval;

    public Evaluator(Releases releases, Supplier<RuleSet> rules, PrometheusClient prometheus, Rollbacks rollbacks,
                     WatchdogMetrics metrics, Clock clock, Duration defaultInterval) {
        this.releases = releases;
        this.rules = rules;
        this.prometheus = prometheus;
        this.rollbacks = rollbacks;
        this.metrics = metrics;
        this.clock = clock;
        this.defaultInterval = defaultInterval;
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
                judged.add(observe(rule, release, batch, now)
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

    private Future<Observation> observe(Rule rule, Release release, PrometheusClient.Batch batch, Instant now) {
        if (now.isBefore(release.startedAt().plus(rule.after()))) {
            return Future.succeededFuture(new Values(List.of()));
        }
        Map<String, String> values = release.templateValues();
        Future<Boolean> guardMet = rule.guard()
                .map(guard -> render(() -> guard.render(values))
                        .compose(batch::query)
                        .map(series -> series.stream().anyMatch(s -> !Double.isNaN(s.value()))))
                .orElse(Future.succeededFuture(true));
        return guardMet
                .compose(met -> met
                        ? render(() -> rule.expr().render(values)).compose(batch::query).<Observation>map(Values::new)
                        : Future.<Observation>succeededFuture(new GuardNotMet()))
                .recover(e -> Future.succeededFuture(new Failed(e.getMessage())));
    }

    private static Future<String> render(Supplier<String> rendering) {
        try {
            return Future.succeededFuture(rendering.get());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }

    /** Records the judged states against the release as it stands now (it may have ended meanwhile). */
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
        Severity worst = all.values().stream().map(RuleState::level).reduce(Severity.NONE, Severity::worst);
        Lifecycle.Transition next = Lifecycle.next(release, worst, now);
        events.addAll(next.events());
        Future<List<Event>> saved = releases.save(next.release(), judged, events);
        if (worst != Severity.P0) {
            return saved.mapEmpty();
        }
        RuleState cause = all.values().stream().filter(s -> s.level() == Severity.P0)
                .min(Comparator.comparing(RuleState::rule)).orElseThrow();
        String threshold = ruleSet.byName(cause.rule()).map(r -> Judge.thresholdOf(r, Severity.P0)).orElse("");
        Reason reason = new Reason(cause.rule(), "P0", cause.value(), threshold);
        // The rollback is not awaited: its retries must not hold up the next tick.
        return saved.onSuccess(x -> rollbacks.request(next.release(), reason, "watchdog")).mapEmpty();
    }

    private static Event outcomeEvent(Release release, RuleSet ruleSet, RuleState state, Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("rule", state.rule());
        data.put("outcome", state.outcome().label());
        if (state.value() != null) {
            data.put("value", state.value());
        }
        if (state.message() != null) {
            data.put("message", state.message());
        }
        String threshold = ruleSet.byName(state.rule()).map(r -> Judge.thresholdFor(r, state.value())).orElse("");
        data.put("threshold", threshold);
        String detail = state.value() != null ? " (value " + String.format(java.util.Locale.ROOT, "%.4g", state.value())
                + ", threshold " + threshold + ")" : state.message() != null ? " (" + state.message() + ")" : "";
        return Event.of(release, now, "outcome", state.rule() + " is " + state.outcome().label() + detail, data);
    }
}
