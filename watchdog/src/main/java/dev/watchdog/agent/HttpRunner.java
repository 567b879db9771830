package dev.watchdog.agent;

import dev.watchdog.core.Durations;
import dev.watchdog.http.Http;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an http step: one request, 2xx is success, within its timeout for the whole exchange, no
 * redirect followed, no retry of its own (the watchdog retries the whole call, and steps already
 * done are skipped). The URL and headers may carry tokens: neither
 * is logged nor answered, and a failure is told in the agent's own words.
 */
final class HttpRunner {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRunner.class);

    private final Http http;
    private final int logBytes;

    HttpRunner(Vertx vertx, int logBytes) {
        this.http = new Http(vertx);
        this.logBytes = logBytes;
    }

    /** The future always succeeds, with how the step ended. */
    Future<StepResult> run(String key, Task.Request task) {
        Http.Request request = new Http.Request(HttpMethod.valueOf(task.method()), task.url(), Map.of(),
                task.body() == null ? null : Buffer.buffer(task.body()), task.timeout(), Http.SMALL_ANSWER);
        if (task.body() != null) {
            request = request.header("Content-Type", "application/json");
        }
        for (Map.Entry<String, dev.watchdog.core.Secret> header : task.headers().entrySet()) {
            request = request.header(header.getKey(), header.getValue().value());
        }
        return http.send(request).map(response -> answered(key, task, response)).otherwise(e -> unanswered(key, task, e));
    }

    private StepResult answered(String key, Task.Request task, Http.Response response) {
        int status = response.status();
        String body = Output.head(response.body().toString(), logBytes);
        if (status / 100 == 2) {
            LOG.info("step succeeded key={} step={} status={} body={}", key, task.step(), status, Output.forLog(body));
            return StepResult.succeeded(task.step(), null);
        }
        StepResult failed = StepResult.failed(task.step(), null, "step '" + task.step() + "' got HTTP " + status);
        LOG.warn("step failed key={} step={} status={} body={}", key, task.step(), status, Output.forLog(body));
        return failed;
    }

    private StepResult unanswered(String key, Task.Request task, Throwable e) {
        // The exception's message may name the URL, which may carry a token: only its kind is told.
        boolean timeout = e instanceof Http.Failure f && f.kind() == Http.Kind.TIMEOUT;
        StepResult result = timeout
                ? StepResult.timedOut(task.step(), "step '" + task.step() + "' timed out after " + Durations.format(task.timeout()))
                : StepResult.failed(task.step(), null, "step '" + task.step() + "' could not be sent ("
                        + e.getClass().getSimpleName() + ")");
        LOG.warn("step failed key={} step={} error=\"{}\"", key, task.step(), result.error());
        return result;
    }
}
