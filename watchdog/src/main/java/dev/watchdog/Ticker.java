package dev.watchdog;

import dev.watchdog.action.Alerts;
import dev.watchdog.action.Outbox;
import dev.watchdog.action.Runner;
import dev.watchdog.core.Release;
import dev.watchdog.evaluation.Evaluator.Subject;
import dev.watchdog.evaluation.Evaluator;
import dev.watchdog.machine.Verification;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.FencedException;
import dev.watchdog.store.Leadership;
import dev.watchdog.store.Store;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick of the replica that leads: every held release of the shards it leads gets its inputs,
 * what its due rules saw if it is judged now, or that time passed, in transactions fenced by its
 * shard's epoch. Then firing alerts are resent and the outbox is resumed. A replica that leads
 * nothing only checks that Prometheus answers.
 */
final class Ticker {

    private static final Logger LOG = LoggerFactory.getLogger(Ticker.class);

    /**
     * How long a tick may go without any answer coming in while releases wait, before those go on
     * with what is in (and their time-driven work) without the answers they lack.
     */
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
    /** When this replica first saw each shard it leads, under its epoch. */
    private final Map<Leadership.Fence, Instant> taken = new HashMap<>();
    /**
     * When something of a led release falls due, as the last tick left them (see {@link #nextDue}):
     * the times, not the releases, so that a tick does not keep the releases' last states alive.
     */
    private List<Instant> dueAfter = List.of();

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
        taken.keySet().retainAll(led.values());
        led.values().forEach(f -> taken.putIfAbsent(f, now));
        if (led.isEmpty()) {
            dueAfter = List.of();
            return evaluator.get().probe(now).mapEmpty();
        }
        return store.led(led, leadership::shardOf)
                .compose(held -> tick(ruleSet, held, led, now))
                .compose(done -> store.heldByState().map(counts -> {
                    dueAfter = done.held().stream().flatMap(w -> dueTimes(w, ruleSet)).filter(t -> t.isAfter(now))
                            .toList();
                    // Not waited for: a slow Alertmanager must not hold up the tick.
                    alerts.resend(done.held()).onFailure(e -> LOG.warn("firing alerts not posted again error=\"{}\"",
                            e.getMessage()));
                    metrics.held(done.held(), counts, ruleSet);
                    metrics.evaluated((System.nanoTime() - started) / 1e9, done.answered(), now);
                    return null;
                })).compose(x -> outbox.resume()).mapEmpty();
    }

    /** The led releases as a tick left them, and whether every query of it was answered. */
    private record Ticked(List<Watch> held, boolean answered) {}

    /**
     * The next moment after {@code now} something of a led release falls due before the next regular
     * tick: a pending rule's {@code for} running out, an escalation level, the bake, the window's end,
     * a verification's deadline, the releases of a shard just taken over. Null if nothing. From the
     * releases as the last tick left them.
     */
    Future<@Nullable Instant> nextDue(Instant now) {
        Instant next = null;
        if (leadership.shared()) {
            for (Instant takenAt : taken.values()) {
                Instant from = evaluator.get().judgedFrom(takenAt);
                next = from.isAfter(now) && (next == null || from.isBefore(next)) ? from : next;
            }
        }
        for (Instant due : dueAfter) {
            next = due.isAfter(now) && (next == null || due.isBefore(next)) ? due : next;
        }
        return Future.succeededFuture(next);
    }

    private static Stream<Instant> dueTimes(Watch w, RuleSet ruleSet) {
        Release r = w.release();
        Instant incident = w.incident() == null ? null : w.incident().nextDueAt();
        Instant bake = r.state() == Release.State.WATCHING && r.verdict() == null ? r.bakeUntil() : null;
        Instant window = r.state().watched() ? r.windowUntil() : null;
        Instant verify = w.verification() != null && w.verification().state() == Verification.State.PENDING
                ? w.verification().until() : null;
        return Stream.concat(Evaluator.pendingUntil(w.rules(), ruleSet), Stream.of(incident, bake, window, verify)
                .filter(Objects::nonNull));
    }

    /**
     * The led shards' releases, observed in one sweep (each distinct query once for all of them) and
     * applied shard by shard: a release's observations together as soon as all its due rules are seen
     * (what comes in together is one transaction), so a slow or stalled query holds up only the
     * releases whose rules asked it. Once no answer has come in for {@link #LATE}, a release still
     * waiting gets what is in at once (or, with nothing in, its time-driven work: escalation, bake,
     * window end), and each later observation on its own. The silence, not the time since the tick
     * began, tells a stalled query: a fleet's answers may take longer than that to read, and its
     * releases are still each judged as one. A shard handed over meanwhile is left to its new leader.
     */
    private Future<Ticked> tick(RuleSet ruleSet, List<Watch> held, Map<Integer, Leadership.Fence> led, Instant now) {
        Map<Integer, Commits> shards = new HashMap<>();
        Promise<Boolean> observed = Promise.promise();
        List<Future<Boolean>> done = new ArrayList<>();
        // Each of ours as it stands: a release stepped replaces its last state here, which is then free.
        Map<String, Watch> current = new LinkedHashMap<>();
        for (Leadership.Fence fence : led.values()) {
            done.add(leadership.ticking(fence, () -> {
                Commits commits = new Commits(context, runner, now, fence, current);
                shards.put(fence.shard(), commits);
                return observed.future().compose(answered -> commits.done().map(answered));
            }).recover(e -> e instanceof FencedException ? Future.succeededFuture(true) : Future.failedFuture(e)));
        }
        List<Watch> ours = held.stream().filter(w -> shards.containsKey(leadership.shardOf(w.id()))).toList();
        ours.forEach(w -> current.put(w.id(), w));
        observe(ruleSet, ours, shards, now).onComplete(observed);
        return Future.all(done).map(x -> new Ticked(current.values().stream().filter(Watch::held).toList(),
                done.stream().allMatch(Future::result)));
    }

    /** Every input of the tick, into each release's shard's commits; true once all are in if every query answered. */
    private Future<Boolean> observe(RuleSet ruleSet, List<Watch> ours, Map<Integer, Commits> shards, Instant now) {
        ours.stream().filter(w -> !judgedNow(w)).forEach(w -> commits(shards, w.id()).tick(w.id()));
        List<Subject> judged = ours.stream().filter(Ticker::judgedNow).map(this::subject).toList();
        boolean none = judged.isEmpty();
        Evaluator.Observing observing = evaluator.get().observe(ruleSet, judged, now,
                (id, seen) -> commits(shards, id).observe(id, seen),
                () -> Future.join(shards.values().stream().map(Commits::done).toList()));
        metrics.judged(judged.size() - observing.idle().size());
        observing.idle().forEach(id -> commits(shards, id).tick(id));
        lateWhenQuiet(observing);
        return observing.done()
                .compose(answered -> none ? evaluator.get().probe(now) : Future.succeededFuture(answered));
    }

    /**
     * Calls {@link Evaluator.Observing#late} once no answer has come in for {@link #LATE}, checking
     * again as long as answers keep coming; nothing once all are in. The last check runs behind what
     * is queued on the event loop, so that answers that came while it was busy count.
     */
    private void lateWhenQuiet(Evaluator.Observing observing) {
        long left = LATE.minus(observing.quiet()).toMillis();
        if (observing.done().isComplete()) {
            return;
        }
        if (left > 0) {
            vertx.setTimer(left, t -> context.runOnContext(x -> lateWhenQuiet(observing)));
        } else {
            observing.late();
        }
    }

    /** The commits of a release's shard: ticked now, as only the releases of ticked shards are observed. */
    private Commits commits(Map<Integer, Commits> shards, String releaseId) {
        return Objects.requireNonNull(shards.get(leadership.shardOf(releaseId)), "a release of a shard not ticked");
    }

    private static boolean judgedNow(Watch w) {
        Verification v = w.verification();
        return w.release().state().watched() || (v != null && v.state() == Verification.State.PENDING
                && w.release().state() == Release.State.ROLLED_BACK);
    }

    /**
     * A release to observe. Where replicas share the store, a shard this replica has just taken over
     * may have been judged by its last leader moments ago: its rules are due again half an interval
     * after the takeover at the soonest (see Evaluator), so that no release is judged twice in a tick.
     */
    private Subject subject(Watch w) {
        Leadership.Fence fence = leadership.shared() ? leadership.fenceFor(w.id()) : null;
        Instant takenAt = fence == null ? null : taken.get(fence);
        if (w.release().state().watched()) {
            return new Subject(w.release(), w.rules(), name -> true, takenAt);
        }
        Verification v = Objects.requireNonNull(w.verification(), "an unwatched release judged now is verifying");
        return new Subject(w.release(), w.rules(), v.rules()::contains, takenAt);
    }
}
