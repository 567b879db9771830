package dev.watchdog.agent;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** How one step of a run ended, in words safe to answer with: never the step's output. */
record StepResult(String step, Outcome outcome, @Nullable Integer exitCode, @Nullable String error) {

    /** What became of a step in this run. */
    enum Outcome {
        SUCCEEDED, FAILED, TIMED_OUT,
        /** Done on an earlier attempt under the same key: not run again. */
        SKIPPED,
        /** A step before it failed. */
        NOT_RUN;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static StepResult succeeded(String step, @Nullable Integer exitCode) {
        return new StepResult(step, Outcome.SUCCEEDED, exitCode, null);
    }

    static StepResult failed(String step, @Nullable Integer exitCode, String error) {
        return new StepResult(step, Outcome.FAILED, exitCode, error);
    }

    static StepResult timedOut(String step, String error) {
        return new StepResult(step, Outcome.TIMED_OUT, null, error);
    }

    boolean ok() {
        return outcome == Outcome.SUCCEEDED || outcome == Outcome.SKIPPED;
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject().put("name", step).put("status", outcome.label());
        if (exitCode != null) {
            json.put("exitCode", exitCode);
        }
        return error == null ? json : json.put("error", error);
    }
}
