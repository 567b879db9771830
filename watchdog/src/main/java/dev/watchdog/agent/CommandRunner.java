package dev.watchdog.agent;

import dev.watchdog.core.Durations;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command step: the program itself, never a shell; stdin empty; stdout and stderr into a
 * temporary file whose end is logged. At the timeout the whole process tree gets SIGTERM, and
 * SIGKILL {@link #KILL_GRACE} later; the step is answered once the tree is gone, so that a retry
 * never overlaps the run it replaces.
 */
final class CommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);
    static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final Map<String, String> inherited;
    private final int logBytes;

    /** {@code inherited}: the environment every command starts from (the agent's, less its secrets). */
    CommandRunner(Vertx vertx, Map<String, String> inherited, int logBytes) {
        this.vertx = vertx;
        this.inherited = Map.copyOf(inherited);
        this.logBytes = logBytes;
    }

    /** Runs to the end or the timeout; the future always succeeds, with how the step ended. */
    Future<StepResult> run(String key, Task.Run task, Map<String, String> callEnv) {
        Context context = vertx.getOrCreateContext();
        return vertx.executeBlocking(() -> start(task, callEnv), false)
                .compose(started -> awaitExit(started, task, context)
                        .compose(ended -> vertx.executeBlocking(() -> finish(key, task, started, ended), false)),
                        e -> Future.succeededFuture(StepResult.failed(task.step(), null,
                                "cannot start '" + task.argv().get(0) + "'")));
    }

    private record Started(Process process, Path output) {}

    private record Ended(int exitCode, boolean timedOut) {}

    private Started start(Task.Run task, Map<String, String> callEnv) throws Exception {
        Path output = Files.createTempFile("watchdog-agent-step-", ".log");
        ProcessBuilder builder = new ProcessBuilder(task.argv()).directory(task.workingDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().putAll(inherited);
        builder.environment().putAll(callEnv);
        builder.environment().putAll(task.env());
        try {
            return new Started(builder.start(), output);
        } catch (Exception e) {
            Files.deleteIfExists(output);
            LOG.warn("step cannot start step={} program={} error=\"{}\"", task.step(), task.argv().get(0), e.getMessage());
            throw e;
        }
    }

    private Future<Ended> awaitExit(Started started, Task.Run task, Context context) {
        AtomicReference<Future<Void>> killed = new AtomicReference<>();
        long timer = vertx.setTimer(task.timeout().toMillis(), id -> killed.set(killTree(started.process(), context)));
        return Future.fromCompletionStage(started.process().onExit(), context).compose(p -> {
            vertx.cancelTimer(timer);
            Ended ended = new Ended(p.exitValue(), killed.get() != null);
            return killed.get() == null ? Future.succeededFuture(ended) : killed.get().map(x -> ended);
        });
    }

    /** SIGTERM to the process and every descendant, SIGKILL after the grace; completes when all are gone. */
    private Future<Void> killTree(Process process, Context context) {
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        long forcibly = vertx.setTimer(KILL_GRACE.toMillis(), id -> tree.forEach(ProcessHandle::destroyForcibly));
        return Future.all(tree.stream().map(h -> Future.fromCompletionStage(h.onExit(), context)).toList())
                .onComplete(x -> vertx.cancelTimer(forcibly)).mapEmpty();
    }

    private StepResult finish(String key, Task.Run task, Started started, Ended ended) {
        String output = Output.tailAndDelete(started.output(), logBytes);
        StepResult result = ended.timedOut()
                ? StepResult.timedOut(task.step(), "step '" + task.step() + "' timed out after "
                        + Durations.format(task.timeout()) + "; its processes were killed")
                : ended.exitCode() == 0 ? StepResult.succeeded(task.step(), 0)
                : StepResult.failed(task.step(), ended.exitCode(), "step '" + task.step() + "' exited " + ended.exitCode());
        if (result.ok()) {
            LOG.info("step succeeded key={} step={} output={}", key, task.step(), Output.forLog(output));
        } else {
            LOG.warn("step failed key={} step={} error=\"{}\" output={}", key, task.step(), result.error(),
                    Output.forLog(output));
        }
        return result;
    }
}
