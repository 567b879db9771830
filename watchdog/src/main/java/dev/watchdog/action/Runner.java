package dev.watchdog.action;

import dev.watchdog.core.Release;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.Context;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Machine;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Step;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.release.ReleaseException;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.FencedException;
import dev.watchdog.store.Leadership;
import dev.watchdog.store.Store.Applied;
import dev.watchdog.store.Store.Command;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Applies inputs to releases: each one steps the release as the store has it now, and the step is
 * stored with its effects in one transaction; only then are the effects handed on to be performed
 * and those waiting for a verdict woken. Nothing here decides: {@link Machine} does.
 */
public final class Runner {

    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Store store;
    private final Supplier<Context> context;
    private final Clock clock;
    private final WatchdogMetrics metrics;
    private final Map<String, List<Promise<Watch>>> waiters = new HashMap<>();
    private Consumer<List<OutboxEntry>> performer = effects -> { };
    private Function<Release, Future<Map<String, Observation>>> lookBefore = r -> Future.succeededFuture(Map.of());

    /** {@code context}: the config and rules in force, read at each step. */
    public Runner(Vertx vertx, Store store, Supplier<Context> context, Clock clock, WatchdogMetrics metrics) {
        this.vertx = vertx;
        this.store = store;
        this.context = context;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Where new effects go once stored: the outbox of the replica that acts. */
    public void performWith(Consumer<List<OutboxEntry>> effects) {
        this.performer = effects;
    }

    /** A decision on one release: its new state, or 404, or 409 when the state does not allow it. */
    public Future<Watch> decide(String id, Input input) {
        return apply(List.of(new Command(id, input))).map(applied -> {
            Applied a = applied.get(0);
            if (a.before() == null) {
                throw ReleaseException.notFound(id);
            }
            if (a.step() instanceof Step.Refused r) {
                throw ReleaseException.conflict(r.why());
            }
            return a.after();
        });
    }

    /** How a release being registered is looked at first, on the service as it stands before it. */
    public void lookBeforeWith(Function<Release, Future<Map<String, Observation>>> look) {
        this.lookBefore = look;
    }

    /**
     * Registers a release, after its rules have looked at the service as it stands (breaches already
     * there, rules with nothing to judge); watched ones of the same service and environment are
     * superseded.
     */
    public Future<Watch> register(Release release) {
        return lookBefore.apply(release).compose(before -> {
            Machine machine = new Machine(context.get());
            Instant now = clock.instant();
            return stored(store.register(release, new Input.Register(release, before), new Input.Supersede(release.id(),
                    release.version()), (w, in) -> machine.step(w, in, now)));
        }).map(applied -> applied.get(applied.size() - 1).after());
    }

    /** Applies many inputs in one transaction; refused ones change nothing. */
    public Future<List<Applied>> apply(List<Command> commands) {
        return apply(commands, clock.instant(), null);
    }

    /**
     * A leader's tick for one shard, at {@code now} (the time its queries were asked at), fenced by
     * the leader's epoch: it fails if another replica has taken the shard over.
     */
    public Future<List<Applied>> apply(List<Command> commands, Instant now, Leadership.@Nullable Fence fence) {
        Machine machine = new Machine(context.get());
        return stored(store.apply(commands, (w, in) -> machine.step(w, in, now), fence));
    }

    private Future<List<Applied>> stored(Future<List<Applied>> write) {
        return write.onFailure(e -> {
            if (!(e instanceof FencedException)) {
                metrics.storeError("write");
            }
        }).onSuccess(this::after);
    }

    private void after(List<Applied> applied) {
        List<OutboxEntry> effects = new ArrayList<>();
        RuleSet rules = context.get().rules();
        for (Applied a : applied) {
            if (a.step() instanceof Step.Moved m) {
                metrics.changed(a.before(), m.watch(), rules);
                effects.addAll(a.effects());
                if (m.watch().judged()) {
                    wakeAll(m.watch());
                }
            }
        }
        if (!effects.isEmpty()) {
            performer.accept(effects);
        }
    }

    /**
     * The release once it is judged, or as it stands when {@code wait} runs out. Woken at once by a
     * step on this replica, and rechecked every second for steps taken by another. Given up when
     * {@code gone} completes: the client that asked has gone.
     */
    public Future<Watch> awaitJudged(String id, Duration wait, Future<?> gone) {
        return watch(id).compose(w -> {
            if (w.judged() || wait.isZero()) {
                return Future.succeededFuture(w);
            }
            Promise<Watch> promise = Promise.promise();
            // Nobody to answer any more: stop re-reading the store for it.
            gone.onComplete(x -> promise.tryFail("the client went away"));
            waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(promise);
            long deadline = vertx.setTimer(Math.max(1, wait.toMillis()), t -> watch(id).onComplete(promise::tryComplete, promise::tryFail));
            // A recheck that cannot read the store is tried again a second later.
            long recheck = vertx.setPeriodic(RECHECK.toMillis(), t -> watch(id).onComplete(now -> {
                if (now.succeeded() && now.result().judged()) {
                    promise.tryComplete(now.result());
                }
            }));
            return promise.future().andThen(ar -> {
                vertx.cancelTimer(deadline);
                vertx.cancelTimer(recheck);
                List<Promise<Watch>> list = waiters.get(id);
                if (list != null) {
                    list.remove(promise);
                }
            });
        });
    }

    /** Answers everyone waiting for a verdict with the release as it stands: the daemon is stopping. */
    public void stop() {
        List.copyOf(waiters.keySet()).forEach(id -> watch(id).onComplete(w -> {
            List<Promise<Watch>> list = w.succeeded() ? null : waiters.remove(id);
            if (w.succeeded()) {
                wakeAll(w.result());
            } else if (list != null) {
                List.copyOf(list).forEach(p -> p.tryFail(w.cause()));
            }
        }));
    }

    private void wakeAll(Watch w) {
        List<Promise<Watch>> list = waiters.remove(w.id());
        if (list != null) {
            List.copyOf(list).forEach(p -> p.tryComplete(w));
        }
    }

    /** A release as it stands, or a 404. */
    public Future<Watch> watch(String id) {
        return store.watch(id).map(w -> w.orElseThrow(() -> ReleaseException.notFound(id)));
    }
}
