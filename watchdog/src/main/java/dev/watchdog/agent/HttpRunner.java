package dev.watchdog.agent;

import dev.watchdog.config.Durations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an http step: one request, 2xx is success, no retry of its own (the watchdog retries the
 * whole call, and steps already done are skipped). The URL and headers may carry tokens: neither
 * is logged nor answered, and a failure is told in the agent's own words.
 */
final class HttpRunner {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRunner.class);

    private final WebClient http;
    private final int logBytes;

    HttpRunner(Vertx vertx, int logBytes) {
        this.http = WebClient.create(vertx);
        this.logBytes = logBytes;
    }

    /** The future always succeeds, with how the step ended. */
    Future<StepResult> run(String key, Task.Request task) {
        HttpRequest<Buffer> request = http.requestAbs(HttpMethod.valueOf(task.method()), task.url())
                .timeout(task.timeout().toMillis());
        task.headers().forEach((name, value) -> request.putHeader(name, value.value()));
        if (task.body() != null && task.headers().keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            request.putHeader("Content-Type", "application/json");
        }
        Future<HttpResponse<Buffer>> sent = task.body() == null ? request.send() : request.sendBuffer(Buffer.buffer(task.body()));
        return sent.map(response -> answered(key, task, response)).otherwise(e -> unanswered(key, task, e));
    }

    private StepResult answered(String key, Task.Request task, HttpResponse<Buffer> response) {
        int status = response.statusCode();
        String body = response.body() == null ? "" : Output.head(response.bodyAsString(), logBytes);
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
        boolean timeout = e.getClass().getSimpleName().contains("Timeout");
        StepResult result = timeout
                ? StepResult.timedOut(task.step(), "step '" + task.step() + "' timed out after " + Durations.format(task.timeout()))
                : StepResult.failed(task.step(), null, "step '" + task.step() + "' could not be sent ("
                        + e.getClass().getSimpleName() + ")");
        LOG.warn("step failed key={} step={} error=\"{}\"", key, task.step(), result.error());
        return result;
    }
}
