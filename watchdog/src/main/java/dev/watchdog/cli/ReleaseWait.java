package dev.watchdog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchdog.core.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watchdog release wait}: blocks until the release is judged, for a deploy script to branch
 * on. A watchdog that restarts, or a replica that goes away, does not end the wait: lost connections
 * (and 502, 503, 504) are tried again with backoff until the deadline.
 */
@Command(name = "wait", description = {"Wait for the verdict, for a deploy script to branch on.",
    "Lost connections and 502/503/504 answers are tried again (1s, 2s, 4s ... 15s apart) until the timeout."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:healthy", "1:rolled back, or the rollback failed", "2:no verdict yet when the timeout ran out",
            "3:the watchdog could not be reached until the timeout, or refused (404: no such release)",
            "4:unjudged: no rule had anything to judge by the end of the bake (no data): not healthy",
            "64:usage error (e.g. --timeout 45min: write 45m)", "70:internal error"})
final class ReleaseWait extends ReleaseCommand.ApiCommand {

    private static final Duration LONGEST_POLL = Duration.ofSeconds(60);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(15);

    @Parameters(paramLabel = "ID", description = "The release's id (rel_...).") String id;
    @Option(names = "--timeout", defaultValue = "30m",
            description = "How long to wait, in Prometheus notation (default ${DEFAULT-VALUE}).") Duration timeout;

    @Override
    int run() throws ApiClient.Failure {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode release = null;
        Duration pause = FIRST_PAUSE;
        while (release == null || (!judged(release) && Instant.now().isBefore(deadline))) {
            try {
                release = poll(deadline);
                pause = FIRST_PAUSE;
            } catch (ApiClient.Failure e) {
                if (!e.temporary() || !pause(e, pause, deadline)) {
                    throw e;
                }
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
            }
        }
        String verdict = release.path("verdict").isNull() ? "none" : release.path("verdict").asText();
        System.out.println(id + ": state " + release.path("state").asText() + ", verdict " + verdict);
        if (verdict.equals("unjudged")) {
            System.err.println(spec.qualifiedName() + ": no rule had anything to judge (no series, or every guard unmet):"
                    + " check that the service's metrics reach Prometheus with the labels the rules select"
                    + " (watchdog release show " + id + " says what each rule saw)");
        }
        return switch (verdict) {
            case "healthy" -> ExitCode.OK;
            case "rolled_back", "failed" -> ExitCode.FAILED;
            case "unjudged" -> ExitCode.UNJUDGED;
            default -> ExitCode.UNDECIDED;
        };
    }

    /** One long poll of the verdict, at most a minute, never past the deadline. */
    private JsonNode poll(Instant deadline) throws ApiClient.Failure {
        Duration left = Duration.between(Instant.now(), deadline);
        Duration poll = left.compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : left.isNegative() ? Duration.ZERO : left;
        return api.get("/api/v1/releases/" + ApiClient.encode(id) + "/verdict?wait=" + poll.toMillis() + "ms",
                poll.plusSeconds(30));
    }

    /** Sleeps before the next try; false when the deadline leaves no time for one. */
    private boolean pause(ApiClient.Failure e, Duration pause, Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.compareTo(Duration.ofMillis(100)) < 0) {
            return false;
        }
        Duration sleep = pause.compareTo(left) > 0 ? left : pause;
        System.err.println(spec.qualifiedName() + ": " + e.getMessage() + "; trying again in " + Durations.format(sleep)
                + " (waiting until " + deadline.truncatedTo(ChronoUnit.SECONDS) + ")");
        try {
            Thread.sleep(sleep.toMillis());
            return true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean judged(JsonNode release) {
        String state = release.path("state").asText();
        return !release.path("verdict").isNull()
                || !(state.equals("watching") || state.equals("degraded") || state.equals("rolling_back"));
    }
}
