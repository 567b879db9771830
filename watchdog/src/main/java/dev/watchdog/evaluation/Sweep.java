package dev.watchdog.evaluation;

import dev.watchdog.judge.Observation;
import dev.watchdog.judge.Observation.Failed;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.Batch;
import dev.watchdog.prometheus.Selection;
import dev.watchdog.rules.Rule;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One tick's observing of many releases, without a future per rule: each due rule of each release
 * is a {@link Look} that goes through what it needs (guard, minimum traffic, expression, baseline)
 * as far as the answers in allow, and then waits on the one answer it lacks. When an answer comes,
 * every look waiting on it goes on in one synchronous pass. A release's observations are gathered
 * and go to the sink together when its last due rule is seen: a slow query holds up only the
 * releases whose rules need it, and {@link #late} lets those go on with what is in. The same steps
 * and words as {@link Observer}, which still observes SLO rules. Used from the tick's context only.
 */
final class Sweep {

    final Batch batch;
    final Instant now;
    private final Evaluator.Sink sink;
    /** Whether a select rule's queries are narrowed by Prometheus to the one release observed (a registration's look). */
    final boolean narrow;
    /** The releases of the group being looked at with a due rule, in the order they were added. */
    private final List<Target> targets = new ArrayList<>();
    private final IdentityHashMap<Future<?>, List<Look>> waiting = new IdentityHashMap<>();
    /**
     * The answers of each rule whose queries read the same for every release (no placeholders, as a
     * select rule's), by what they answer: found once a tick, not once per release.
     */
    final IdentityHashMap<Rule, Future<?>[]> shared = new IdentityHashMap<>();
    private final Promise<Boolean> done = Promise.promise();
    /** The looks of each group, made when it starts; and what completes once a group's observations are taken in. */
    private IntFunction<List<Look>> groups = g -> List.of();
    private Supplier<Future<?>> drained = Future::succeededFuture;
    private int count;
    private int group;
    /** The current group's looks not yet seen. */
    private int open;
    private boolean failed;
    /** Whether {@link #late} was called: each later group's releases get what is in as soon as their looks start. */
    private boolean late;
    /** When the last answer came in or observation was made (or the sweep started), by {@link System#nanoTime}. */
    private long lastAnswer = System.nanoTime();

    Sweep(Batch batch, Instant now, Evaluator.Sink sink, boolean narrow) {
        this.batch = batch;
        this.now = now;
        this.sink = sink;
        this.narrow = narrow;
    }

    /**
     * Looks at {@code count} groups in turn: each group's looks (their selections' keys already known
     * to the batch) start once the group before is all seen and {@code drained} has completed;
     * completes when every group has been seen.
     */
    Future<Boolean> start(int count, IntFunction<List<Look>> groups, Supplier<Future<?>> drained) {
        this.count = count;
        this.groups = groups;
        this.drained = drained;
        next();
        return done.future();
    }

    private void next() {
        while (group < count) {
            targets.clear();
            List<Look> looks = groups.apply(group++);
            open = looks.size();
            if (open > 0) {
                lastAnswer = System.nanoTime();
                looks.forEach(Look::advance);
                if (late) {
                    late();
                }
                return;
            }
        }
        done.complete(!failed);
    }

    /**
     * A due rule of a release; {@code selector}: a select rule's, found in the answers' indexes;
     * {@code broken}: why its selection could not be rendered (a failure once it is judged at all).
     */
    Look look(Target target, Rule rule, RuleState prev, Selection.@Nullable Selector selector,
              @Nullable RuntimeException broken, boolean swept) {
        if (target.expect()) {
            targets.add(target);
        }
        return new Look(this, target, rule, prev, selector, broken, swept);
    }

    /** How long since the last answer came in, or since the sweep started if none has. */
    Duration quiet() {
        return Duration.ofNanos(System.nanoTime() - lastAnswer);
    }

    /**
     * Every release still gathering gets what is in (perhaps nothing); later observations go one by one,
     * and so do those of the groups still to start.
     */
    void late() {
        late = true;
        targets.forEach(target -> target.late(sink));
    }

    /** What an answer holds now: its value if it is in, null if not (the look then waits for it); throws its failure. */
    <T> @Nullable T ready(Future<T> answer, Look look) {
        if (answer.succeeded()) {
            return answer.result();
        }
        if (answer.failed()) {
            throw answer.cause() instanceof RuntimeException e ? e : new IllegalStateException(answer.cause());
        }
        List<Look> list = waiting.get(answer);
        if (list == null) {
            list = new ArrayList<>();
            waiting.put(answer, list);
            answer.onComplete(x -> resume(answer));
        }
        list.add(look);
        return null;
    }

    /** An answer came: every look that waited on it goes on, in one pass. */
    private void resume(Future<?> answer) {
        lastAnswer = System.nanoTime();
        List<Look> list = waiting.remove(answer);
        if (list != null) {
            list.forEach(Look::advance);
        }
    }

    void finish(Look look, Observation seen) {
        lastAnswer = System.nanoTime();
        look.target.seen(look.rule.name(), seen, sink);
        failed |= seen instanceof Failed;
        if (--open == 0) {
            drained.get().onComplete(x -> next());
        }
    }

}
