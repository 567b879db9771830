package dev.watchdog;

import dev.watchdog.action.Runner;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.Input;
import dev.watchdog.store.Leadership;
import dev.watchdog.store.Store.Command;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A tick's inputs, applied as they come in as few transactions as their arrival allows: what comes
 * in one turn of the event loop goes together, and while one transaction is written the next inputs
 * gather. A release's observations that arrive together are one input. Used from one context.
 */
final class Commits {

    private final Context context;
    private final Runner runner;
    private final Instant now;
    private final Leadership.Fence fence;
    private final List<Command> waiting = new ArrayList<>();
    private Future<Void> written = Future.succeededFuture();
    private @Nullable Throwable failed;
    private boolean flushing;

    Commits(Context context, Runner runner, Instant now, Leadership.Fence fence) {
        this.context = context;
        this.runner = runner;
        this.now = now;
        this.fence = fence;
    }

    void add(Command command) {
        waiting.add(command);
        if (!flushing) {
            flushing = true;
            Promise<Void> turnEnded = Promise.promise();
            context.runOnContext(x -> turnEnded.complete());
            written = written.transform(x -> turnEnded.future()).transform(x -> write());
        }
    }

    /** Completes once everything added so far is written; fails if any of it could not be. */
    Future<Void> done() {
        return written.transform(x -> failed == null ? Future.succeededFuture() : Future.failedFuture(failed));
    }

    private Future<Void> write() {
        flushing = false;
        List<Command> batch = merged(waiting);
        waiting.clear();
        return runner.apply(batch, now, fence).<Void>mapEmpty().recover(e -> {
            failed = failed == null ? e : failed;
            return Future.succeededFuture();
        });
    }

    /** In release order (transactions lock rows in one order); a release's observations as one input. */
    private static List<Command> merged(List<Command> commands) {
        Map<String, Command> byRelease = new LinkedHashMap<>();
        List<Command> out = new ArrayList<>();
        for (Command c : commands) {
            Command before = byRelease.get(c.releaseId());
            if (before != null && before.input() instanceof Input.Observe a && c.input() instanceof Input.Observe b) {
                Map<String, Observation> both = new LinkedHashMap<>(a.seen());
                both.putAll(b.seen());
                Command one = new Command(c.releaseId(), new Input.Observe(both));
                out.set(out.indexOf(before), one);
                byRelease.put(c.releaseId(), one);
            } else {
                out.add(c);
                byRelease.put(c.releaseId(), c);
            }
        }
        out.sort(Comparator.comparing(Command::releaseId));
        return out;
    }
}
