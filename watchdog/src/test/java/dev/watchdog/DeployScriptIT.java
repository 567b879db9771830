package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/examples/deploy.sh}, the script every CI example calls, run by {@code /bin/sh} (dash
 * here: POSIX only) against the real daemon from the built jar and a real Prometheus: a quiet
 * release passes, a failing one is rolled back and fails the job, no verdict in time and an
 * unreachable watchdog fail it too, each with its own exit code.
 */
class DeployScriptIT {

    static final Path DIR = Path.of("target", "it", "deploy-script").toAbsolutePath();
    static final Path SCRIPT = Path.of("..", "docs", "examples", "deploy.sh").toAbsolutePath().normalize();

    static RealStack stack;
    static RealDaemon daemon;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        daemon = RealDaemon.start(DIR.resolve("daemon"), stack.prometheus.url(), stack.recorder.url("/rollback"), null,
                "1s", RollbackIT.RULES);
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.stop();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @BeforeEach
    void healthy() {
        stack.service.errorRatio(0);
        Poll.until(Duration.ofSeconds(30), "the error ratio back at 0",
                () -> stack.prometheus.query("sum(rate(http_requests_total{status=\"500\"}[5s]))").contains("\"0\"]"));
    }

    static RealProcess deploy(String version, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "WATCHDOG_URL", daemon.url(), "WATCHDOG_TOKEN", RealDaemon.TOKEN,
                "WATCHDOG_JAR", Path.of(System.getProperty("watchdog.jar", "target/watchdog.jar")).toAbsolutePath().toString(),
                "WATCHDOG_WINDOW", "1h", "WATCHDOG_BAKE", "5s", "WATCHDOG_WAIT", "2m",
                "PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH")));
        env.putAll(extra);
        return RealProcess.start(List.of("/bin/sh", SCRIPT.toString(), "demo", version, "production", "1.3.2"), env,
                DIR.resolve("deploy-" + version + ".log"));
    }

    @Test
    @DisplayName("a quiet release: deploy.sh registers it, waits out the bake, and exits 0")
    void healthyPasses() {
        RealProcess job = deploy("1.4.0", Map.of());
        assertEquals(0, job.exitCode(60), job.log());
        assertTrue(job.log().contains("deploy.sh: demo 1.4.0 is healthy"), job.log());
        JsonObject release = registered("1.4.0");
        assertEquals("healthy", release.getString("verdict"));
        assertEquals("1.3.2", release.getString("previousVersion"));
    }

    @Test
    @DisplayName("a release that starts failing: the watchdog rolls it back, and deploy.sh exits 1 with the timeline")
    void rolledBackFails() {
        RealProcess job = deploy("1.4.1", Map.of("WATCHDOG_BAKE", "10m"));
        Poll.until(Duration.ofSeconds(30), "the release registered", () -> registered("1.4.1") != null);
        stack.service.errorRatio(0.2);
        assertEquals(1, job.exitCode(90), job.log());
        String id = registered("1.4.1").getString("id");
        assertTrue(job.log().contains("deploy.sh: demo 1.4.1 was rolled back"), job.log());
        assertTrue(job.log().contains("rollback_requested"), "the timeline is printed: " + job.log());
        assertTrue(stack.recorder.calls("/rollback").stream().anyMatch(c -> c.body().contains(id)), "the rollback went out");
    }

    @Test
    @DisplayName("no verdict within the wait exits 2, or 0 when WATCHDOG_UNDECIDED=pass; the watchdog keeps watching")
    void undecided() {
        RealProcess strict = deploy("1.4.2", Map.of("WATCHDOG_BAKE", "1h", "WATCHDOG_WAIT", "2s"));
        assertEquals(2, strict.exitCode(60), strict.log());
        RealProcess lenient = deploy("1.4.3", Map.of("WATCHDOG_BAKE", "1h", "WATCHDOG_WAIT", "2s", "WATCHDOG_UNDECIDED", "pass"));
        assertEquals(0, lenient.exitCode(60), lenient.log());
        assertEquals("watching", registered("1.4.3").getString("state"));
    }

    @Test
    @DisplayName("an unreachable watchdog exits 3: nobody watches the release, the job says so")
    void unreachable() {
        RealProcess job = deploy("1.4.4", Map.of("WATCHDOG_URL", "http://127.0.0.1:" + RealProcess.freePort()));
        assertEquals(3, job.exitCode(60), job.log());
        assertTrue(job.log().contains("nobody watches this release"), job.log());
    }

    @Test
    @DisplayName("called wrong: 64 with the usage, and nothing registered")
    void usage() {
        RealProcess job = RealProcess.start(List.of("/bin/sh", SCRIPT.toString(), "demo"), Map.of(), DIR.resolve("usage.log"));
        assertEquals(64, job.exitCode(30), job.log());
        assertTrue(job.log().startsWith("usage: deploy.sh SERVICE VERSION ENVIRONMENT"), job.log());
    }

    /** The release of the demo service with this version, as the API lists it; null if none. */
    static JsonObject registered(String version) {
        String body = daemon.get("/api/v1/releases");
        if (body.isEmpty()) {
            return null;
        }
        return new JsonArray(body).stream().map(JsonObject.class::cast)
                .filter(r -> version.equals(r.getString("version"))).findFirst().orElse(null);
    }
}
