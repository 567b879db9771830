package dev.watchdog.agent;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The HTTP answer to a rollback call: 2xx only when every step has succeeded. Pure. */
record Answer(int status, JsonObject body) {

    /** Every step done, now or on an earlier attempt. */
    static Answer succeeded(String key, String action, List<StepResult> steps) {
        return new Answer(200, base(key, "succeeded", action, steps));
    }

    /** The key was acted on already: nothing runs again. */
    static Answer replayed(Journal.Entry entry) {
        JsonArray steps = new JsonArray();
        entry.steps().forEach(s -> steps.add(new JsonObject().put("name", s.name()).put("status", s.status().label())));
        return new Answer(200, new JsonObject().put("key", entry.key()).put("status", "succeeded").put("replayed", true)
                .put("action", entry.action()).put("steps", steps));
    }

    /**
     * A step failed (502) or timed out (504): the watchdog retries 5xx with the same key, and the
     * steps done so far are not repeated.
     */
    static Answer failed(String key, String action, List<StepResult> steps, StepResult failed) {
        JsonObject body = base(key, "failed", action, steps).put("error", failed.error()).put("step", failed.step());
        if (failed.exitCode() != null) {
            body.put("exitCode", failed.exitCode());
        }
        return new Answer(failed.outcome() == StepResult.Outcome.TIMED_OUT ? 504 : 502, body);
    }

    /**
     * An earlier run of this key was cut short by a crash (or runs elsewhere): its step may have
     * half happened. 409, which the watchdog does not retry: the rollback fails at once and pages,
     * because only a person can tell whether running the step again is safe.
     */
    static Answer interrupted(Journal.Entry entry) {
        String step = entry.steps().stream().filter(s -> s.status() == entry.status()).map(Journal.StepRecord::name)
                .findFirst().orElse(null);
        String error = entry.status() == Journal.Status.RUNNING ? "this key is being acted on by another process"
                : "an earlier run of this key was interrupted" + (step == null ? "" : " in step '" + step + "'")
                + "; it is not run again without an operator: check the system, then run"
                + " 'watchdog agent resolve " + entry.key() + " --done' or '--rerun'";
        return new Answer(409, new JsonObject().put("error", error).put("key", entry.key())
                .put("status", entry.status().label()).put("action", entry.action()).put("step", step));
    }

    private static JsonObject base(String key, String status, String action, List<StepResult> steps) {
        JsonArray list = new JsonArray();
        steps.forEach(s -> list.add(s.toJson()));
        return new JsonObject().put("key", key).put("status", status).put("action", action).put("steps", list);
    }
}
