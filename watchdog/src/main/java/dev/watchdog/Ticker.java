package dev.watchdog;

import dev.watchdog.action.Alerts;
import dev.watchdog.action.Outbox;
import dev.watchdog.action.Runner;
import dev.watchdog.core.Release;
import dev.watchdog.evaluation.Evaluator.Subject;
import dev.watchdog.evaluation.Evaluator;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Verification;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.FencedException;
import dev.watchdog.store.Leadership;
import dev.watchdog.store.Store.Command;
import dev.watchdog.store.Store;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick of the replica that leads: for each shard it leads, every held release gets one input,
 * all in one transaction fenced by the shard's epoch: what its due rules saw, if it is judged now,
 * or that time passed. Then firing alerts are resent and the outbox is resumed. A replica that leads
 * nothing only checks that Prometheus answers.
 */
final class Ticker {

    private static final Logger LOG = LoggerFactory.getLogger(Ticker.class);

    /** How long a release's observations may be awaited before its time-driven work goes on without them. */
    static final Duration LATE = Duration.ofSeconds(1);

    private final Store store;
    private final Runner runner;
    private final Supplier<Evaluator> evaluator;
    private final Alerts alerts;
    private final Outbox outbox;
    private final Leadership leadership;
    private final Supplier<RuleSet> rules;
    private final WatchdogMetrics metrics;
    private final Clock clock;
    private final Vertx vertx;
    private final Context context;

    Ticker(Vertx vertx, Context context, Store store, Runner runner, Supplier<Evaluator> evaluator, Alerts alerts, Outbox outbox, Leadership leadership,
           Supplier<RuleSet> rules, WatchdogMetrics metrics, Clock clock) {
        this.vertx = vertx;
        this.context = context;
        this.store = store;
        this.runner = runner;
        this.evaluator = evaluator;
        this.alerts = alerts;
        this.outbox = outbox;
        this.leadership = leadership;
        this.rules = rules;
        this.metrics = metrics;
        this.clock = clock;
    }

    Future<Void> tick() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        RuleSet ruleSet = rules.get();
        Map<Integer, Leadership.Fence> led = leadership.led();
        metrics.leader(!led.isEmpty());
        if (led.isEmpty()) {
            return evaluator.get().probe(now).mapEmpty();
        }
        return store.held().compose(all -> {
            List<Future<Boolean>> shards = new ArrayList<>();
            // A shard handed over since is left to its new leader.
            led.values().forEach(fence -> shards.add(leadership.during(fence, () -> tick(ruleSet, ours(all, fence.shard()),
                    fence, now)).recover(e -> e instanceof FencedException ? Future.succeededFuture(true) : Future.failedFuture(e))));
            return Future.all(shards).map(x -> shards.stream().allMatch(Future::result));
        }).compose(answered -> store.held().map(held -> {
            List<Watch> ours = held.stream().filter(w -> led.containsKey(leadership.shardOf(w.id()))).toList();
            // Not waited for: a slow Alertmanager must not hold up the tick.
            alerts.resend(ours).onFailure(e -> LOG.warn("firing alerts not posted again error=\"{}\"", e.getMessage()));
            metrics.held(held, ruleSet);
            metrics.evaluated((System.nanoTime() - started) / 1e9, answered, now);
            return null;
        })).compose(x -> outbox.resume()).mapEmpty();
    }

    /**
     * The next moment after {@code now} something of a led release falls due before the next regular
     * tick: a pending rule's {@code for} running out, an escalation level, the bake, the window's end,
     * a verification's deadline. Null if nothing.
     */
    Future<Instant> nextDue(Instant now) {
        Map<Integer, Leadership.Fence> led = leadership.led();
        RuleSet ruleSet = rules.get();
        return store.held().map(held -> held.stream().filter(w -> led.containsKey(leadership.shardOf(w.id())))
                .flatMap(w -> dueTimes(w, ruleSet, now)).filter(t -> t != null && t.isAfter(now))
                .min(Instant::compareTo).orElse(null));
    }

    private static java.util.stream.Stream<Instant> dueTimes(Watch w, RuleSet ruleSet, Instant now) {
        Release r = w.release();
        Instant incident = w.incident() == null ? null : w.incident().nextDueAt();
        Instant bake = r.state() == Release.State.WATCHING && r.verdict() == null ? r.bakeUntil() : null;
        Instant window = r.state().watched() ? r.windowUntil() : null;
        Instant verify = w.verification() != null && w.verification().state() == Verification.State.PENDING
                ? w.verification().until() : null;
        return java.util.stream.Stream.of(Evaluator.nextDue(w.rules(), ruleSet, now), incident, bake, window, verify);
    }

    private List<Watch> ours(List<Watch> held, int shard) {
        return held.stream().filter(w -> leadership.shardOf(w.id()) == shard).sorted(Comparator.comparing(Watch::id))
                .toList();
    }

    /**
     * One shard's releases: a release's observations are applied together as soon as all its rules'
     * queries have answered (what comes in together is one transaction), so a slow or stalled query
     * holds up no other release; a release still waiting after {@link #LATE} gets what is in (or its
     * time-driven work: escalation, bake, window end) at once, and each late answer on its own. True
     * if every query answered.
     */
    private Future<Boolean> tick(RuleSet ruleSet, List<Watch> held, Leadership.Fence fence, Instant now) {
        Commits commits = new Commits(context, runner, now, fence);
        held.stream().filter(w -> !judgedNow(w)).forEach(w -> commits.add(new Command(w.id(), new Input.Tick())));
        List<Watch> judged = held.stream().filter(Ticker::judgedNow).toList();
        List<Map<String, Future<Observation>>> seen = evaluator.get().observe(ruleSet,
                judged.stream().map(Ticker::subject).toList(), now);
        List<Gathering> gatherings = new ArrayList<>();
        List<Future<Observation>> all = new ArrayList<>();
        for (int i = 0; i < judged.size(); i++) {
            Gathering g = new Gathering(judged.get(i).id(), seen.get(i).size(), commits);
            gatherings.add(g);
            // Listened to before Future.all below, so that every answer is added by the time it completes.
            seen.get(i).forEach((rule, observation) -> all.add(observation.onSuccess(o -> g.in(rule, o))));
            g.checkComplete();
        }
        long late = vertx.setTimer(LATE.toMillis(), t -> gatherings.forEach(Gathering::late));
        return Future.all(all).transform(x -> {
            vertx.cancelTimer(late);
            return commits.done();
        }).compose(x -> {
            boolean answered = all.stream().map(Future::result).noneMatch(o -> o instanceof Observation.Failed);
            return judged.isEmpty() ? evaluator.get().probe(now) : Future.succeededFuture(answered);
        });
    }

    /** One release's observations of a tick, gathered until all are in or they are late. */
    private static final class Gathering {
        private final String release;
        private final int expected;
        private final Commits commits;
        private final Map<String, Observation> in = new LinkedHashMap<>();
        private boolean sent;

        Gathering(String release, int expected, Commits commits) {
            this.release = release;
            this.expected = expected;
            this.commits = commits;
        }

        void in(String rule, Observation o) {
            if (sent) {
                commits.add(new Command(release, new Input.Observe(Map.of(rule, o))));
            } else {
                in.put(rule, o);
                checkComplete();
            }
        }

        void checkComplete() {
            if (!sent && in.size() == expected) {
                send();
            }
        }

        void late() {
            if (!sent) {
                send();
            }
        }

        private void send() {
            sent = true;
            commits.add(new Command(release, in.isEmpty() ? new Input.Tick() : new Input.Observe(in)));
        }
    }

    private static boolean judgedNow(Watch w) {
        Verification v = w.verification();
        return w.release().state().watched() || (v != null && v.state() == Verification.State.PENDING
                && w.release().state() == Release.State.ROLLED_BACK);
    }

    private static Subject subject(Watch w) {
        if (w.release().state().watched()) {
            return new Subject(w.release(), w.rules(), name -> true);
        }
        Verification v = Objects.requireNonNull(w.verification(), "an unwatched release judged now is verifying");
        return new Subject(w.release(), w.rules(), v.rules()::contains);
    }
}
