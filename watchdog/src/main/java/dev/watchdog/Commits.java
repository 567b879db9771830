package dev.watchdog;

import dev.watchdog.action.Runner;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Watch;
import dev.watchdog.store.Leadership;
import dev.watchdog.store.Store.Applied;
import dev.watchdog.store.Store.Command;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A shard's inputs in one tick, applied as they come in as few transactions as their arrival
 * allows: what comes in one turn of the event loop goes together (with the answers already queued
 * behind that turn: they are in, not awaited), and while one transaction is written the next inputs
 * gather. A release's observations that arrive together are one input. Used from one context.
 */
final class Commits {

    /** The most releases one transaction steps. */
    static final int RELEASES = 500;

    private final Context context;
    private final Runner runner;
    private final Instant now;
    private final Leadership.Fence fence;
    /** By release: its inputs in the order they came. */
    private Map<String, List<Input>> waiting = new HashMap<>();
    /** Each release as it stands: one stepped is put here as the transaction left it. */
    private final Map<String, Watch> current;
    private Future<Void> written = Future.succeededFuture();
    private @Nullable Throwable failed;
    private boolean flushing;

    Commits(Context context, Runner runner, Instant now, Leadership.Fence fence, Map<String, Watch> current) {
        this.context = context;
        this.current = current;
        this.runner = runner;
        this.now = now;
        this.fence = fence;
    }

    /**
     * What rules of a release saw; merged with the release's other observations gathering now. With
     * nothing seen (none was in when it was late), time passed for it.
     */
    void observe(String releaseId, Map<String, Observation> seen) {
        if (seen.isEmpty()) {
            tick(releaseId);
            return;
        }
        List<Input> inputs = inputs(releaseId);
        int last = inputs.size() - 1;
        if (last >= 0 && inputs.get(last) instanceof Input.Observe before) {
            Map<String, Observation> both = new LinkedHashMap<>(before.seen());
            both.putAll(seen);
            inputs.set(last, new Input.Observe(both));
        } else {
            inputs.add(new Input.Observe(seen));
        }
    }

    /** Time passed for a release: its time-driven work (ladders, bake, window end) is due. */
    void tick(String releaseId) {
        inputs(releaseId).add(new Input.Tick());
    }

    private List<Input> inputs(String releaseId) {
        if (!flushing) {
            flushing = true;
            Promise<Void> turnEnded = Promise.promise();
            // Two hops: the answers read while this turn ran are queued behind the first.
            context.runOnContext(x -> context.runOnContext(y -> turnEnded.complete()));
            written = written.transform(x -> turnEnded.future()).transform(x -> write());
        }
        return waiting.computeIfAbsent(releaseId, k -> new ArrayList<>(1));
    }

    /** Completes once everything added so far is written; fails if any of it could not be. */
    Future<Void> done() {
        return written.transform(x -> failed == null ? Future.succeededFuture() : Future.failedFuture(failed));
    }

    /**
     * What gathered, in transactions of at most {@link #RELEASES} releases one after another, in release
     * order (transactions lock rows in one order): a tick that changes every release of a fleet (its
     * first, or Prometheus back after an outage) holds one transaction's steps and events at a time,
     * not the fleet's.
     */
    private Future<Void> write() {
        flushing = false;
        Map<String, List<Input>> batch = new TreeMap<>(waiting);
        waiting = new HashMap<>();
        Future<Void> done = Future.succeededFuture();
        List<Command> commands = new ArrayList<>();
        int releases = 0;
        for (Map.Entry<String, List<Input>> e : batch.entrySet()) {
            e.getValue().forEach(input -> commands.add(new Command(e.getKey(), input)));
            if (++releases % RELEASES == 0) {
                List<Command> chunk = List.copyOf(commands);
                commands.clear();
                done = done.compose(x -> apply(chunk));
            }
        }
        List<Command> rest = List.copyOf(commands);
        return rest.isEmpty() ? done : done.compose(x -> apply(rest));
    }

    private Future<Void> apply(List<Command> commands) {
        return runner.apply(commands, now, fence).<Void>map(applied -> {
            for (Applied a : applied) {
                if (a.before() != null) {
                    current.put(a.command().releaseId(), a.after());
                }
            }
            return null;
        }).recover(e -> {
            failed = failed == null ? e : failed;
            return Future.succeededFuture();
        });
    }
}
