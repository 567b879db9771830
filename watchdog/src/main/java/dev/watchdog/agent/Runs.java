package dev.watchdog.agent;

import dev.watchdog.core.Durations;
import dev.watchdog.rules.Template;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on a call at most once per key, and at most once per release and action. A key that succeeded is answered at once; a call whose key
 * is being acted on now joins that run and gets its answer; a key that failed runs again, skipping
 * the steps that succeeded before; an interrupted key is left to an operator. Every step is written
 * to the journal before it runs and after it ends. Runs on one event loop, so the map needs no lock.
 */
final class Runs {

    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);

    private final Vertx vertx;
    private final Journal journal;
    private final Function<Call, Plan> planner;
    private final CommandRunner commands;
    private final HttpRunner requests;
    private final Map<String, Future<Answer>> inFlight = new HashMap<>();

    Runs(Vertx vertx, Journal journal, Function<Call, Plan> planner, CommandRunner commands, HttpRunner requests) {
        this.vertx = vertx;
        this.journal = journal;
        this.planner = planner;
        this.commands = commands;
        this.requests = requests;
    }

    Future<Answer> handle(Call call) {
        return Future.succeededFuture(call).map(planner).compose(plan -> handle(call, plan));
    }

    /**
     * One run per release and action, whatever the key: a second call for a release already rolled
     * back (a duplicate registration's, a retry under a new key) must not roll back again, which
     * would re-deploy the version rolled back to.
     */
    private Future<Answer> handle(Call call, Plan plan) {
        String run = call.releaseId() + "\n" + plan.action();
        Future<Answer> running = inFlight.get(run);
        if (running != null) {
            LOG.info("rollback call joins the run in progress key={} release={} action={}", call.key(), call.releaseId(),
                    plan.action());
            return running;
        }
        Future<Answer> started = blocking(() -> journal.find(call.key(), call.releaseId(), plan.action()))
                .compose(entry -> decide(call, plan, entry.orElse(null)));
        inFlight.put(run, started);
        started.onComplete(x -> inFlight.remove(run, started));
        return started;
    }

    private Future<Answer> decide(Call call, Plan plan, Journal.@Nullable Entry before) {
        if (before != null && before.status() == Journal.Status.SUCCEEDED) {
            LOG.info("rollback call replayed key={} action={} done_under={}: done before, nothing runs", call.key(),
                    before.action(), before.key());
            return Future.succeededFuture(Answer.replayed(before));
        }
        if (before != null && before.status() != Journal.Status.FAILED) {
            LOG.error("rollback call refused key={} status={}: an earlier run was interrupted; an operator must resolve it",
                    before.key(), before.status().label());
            return Future.succeededFuture(Answer.interrupted(before));
        }
        LOG.info("rollback starts key={} release={} service={} environment={} action={} attempt={}", call.key(),
                call.releaseId(), call.service(), call.environment(), plan.action(), before == null ? 1 : before.attempts() + 1);
        return blocking(() -> {
            journal.begin(call, plan.action());
            return null;
        }).compose(x -> step(call, plan, before, 0, new ArrayList<>()));
    }

    /** Runs step {@code i} and those after it, in order, until one fails. */
    private Future<Answer> step(Call call, Plan plan, Journal.@Nullable Entry before, int i, List<StepResult> done) {
        if (i == plan.tasks().size()) {
            return end(call, Journal.Status.SUCCEEDED, null).map(x -> Answer.succeeded(call.key(), plan.action(), done));
        }
        Task task = plan.tasks().get(i);
        boolean doneBefore = before != null && before.step(task.step())
                .filter(s -> s.status() == Journal.Status.SUCCEEDED).isPresent();
        if (doneBefore) {
            done.add(new StepResult(task.step(), StepResult.Outcome.SKIPPED, null, null));
            return step(call, plan, before, i + 1, done);
        }
        return record(call, task).compose(result -> {
            done.add(result);
            return result.ok() ? step(call, plan, before, i + 1, done) : failed(call, plan, i, done, result);
        });
    }

    /** One step, written to the journal before it runs and after it ends. */
    private Future<StepResult> record(Call call, Task task) {
        LOG.info("step starts key={} step={} timeout={}", call.key(), task.step(), Durations.format(task.timeout()));
        return blocking(() -> {
            journal.stepStarted(call.key(), task.step());
            return null;
        }).compose(x -> run(call, task)).compose(result -> blocking(() -> {
            journal.stepEnded(call.key(), task.step(), result.ok() ? Journal.Status.SUCCEEDED : Journal.Status.FAILED,
                    result.exitCode(), result.error());
            return result;
        }));
    }

    private Future<Answer> failed(Call call, Plan plan, int i, List<StepResult> done, StepResult failed) {
        plan.tasks().subList(i + 1, plan.tasks().size())
                .forEach(t -> done.add(new StepResult(t.step(), StepResult.Outcome.NOT_RUN, null, null)));
        return end(call, Journal.Status.FAILED, failed.error()).map(x -> Answer.failed(call.key(), plan.action(), done, failed));
    }

    private Future<StepResult> run(Call call, Task task) {
        return task instanceof Task.Run run ? commands.run(call.key(), run, environment(call))
                : requests.run(call.key(), (Task.Request) task);
    }

    private Future<Void> end(Call call, Journal.Status status, @Nullable String detail) {
        if (status == Journal.Status.SUCCEEDED) {
            LOG.info("rollback succeeded key={} release={}", call.key(), call.releaseId());
        } else {
            LOG.error("rollback failed key={} release={} error=\"{}\"", call.key(), call.releaseId(), detail);
        }
        return blocking(() -> {
            journal.ended(call.key(), status, detail);
            return null;
        });
    }

    /** What every command is told about the call beside its arguments: {@code WATCHDOG_SERVICE} and so on. */
    private static Map<String, String> environment(Call call) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("WATCHDOG_IDEMPOTENCY_KEY", call.key());
        call.values().forEach((name, value) -> {
            if (Template.unsafeBecause(value) == null) {
                env.put("WATCHDOG_" + name.toUpperCase(Locale.ROOT).replace('.', '_'), value);
            }
        });
        return env;
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, true);
    }
}
