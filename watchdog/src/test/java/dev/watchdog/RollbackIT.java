package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.demo.DemoService;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealPrometheus;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The core loop for real: Prometheus (the Debian package) scrapes a service the test controls every
 * second; the daemon runs from the built jar; a release is registered over the API; the service's
 * error ratio is raised past P0; the rollback webhook receives one signed call. Then the daemon is
 * killed with SIGKILL and started again: the release still reads rolled_back and nothing is resent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollbackIT {

    static final String SECRET = "it-rollback-secret";
    static final Path DIR = Path.of("target", "it", "rollback");
    static final String RULES = RealStack.errorRateRules("p1: \"> 0.01\"", "p0: \"> 0.05\"", "for: 2s");

    static RealStack stack;
    static DemoService service;
    static WebhookRecorder deployer;
    static RealPrometheus prometheus;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        service = stack.service;
        deployer = stack.recorder;
        prometheus = stack.prometheus;
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    @Order(1)
    @DisplayName("a P0 breach seen by a real Prometheus rolls back once, and a kill -9 and restart change nothing")
    void rollsBackOnceAcrossKill9() throws Exception {
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon"), prometheus.url(), deployer.url("/rollback"),
                SECRET, "1s", RULES);
        try {
            String id = daemon.register(new JsonObject().put("service", "demo").put("version", "1.4.0")
                    .put("previousVersion", "1.3.2").put("environment", "production").put("window", "1h"));
            Poll.until(Duration.ofSeconds(30), "error-rate to be judged ok",
                    () -> daemon.get("/api/v1/releases/" + id).contains("\"outcome\":\"ok\""));
            RealProcess waiter = RealProcess.watchdog(List.of("release", "wait", id, "--timeout", "2m", "--url", daemon.url()),
                    Map.of("WATCHDOG_TOKEN", RealDaemon.TOKEN), DIR.resolve("wait.log"));

            service.errorRatio(0.2);
            Poll.until(Duration.ofSeconds(60), "the rollback webhook", () -> !deployer.calls.isEmpty());
            Poll.until(Duration.ofSeconds(10), "the release to read rolled_back",
                    () -> "rolled_back".equals(daemon.release(id).getString("state")));
            assertEquals(1, waiter.exitCode(30), "watchdog release wait exits 1 on a rollback: " + waiter.log());

            WebhookRecorder.Call call = deployer.calls.get(0);
            assertEquals(id + ":rollback", call.header("Idempotency-Key"));
            assertEquals(expectedSignature(call), call.header("webhook-signature"));
            JsonObject reason = new JsonObject(call.body()).getJsonObject("reason");
            assertEquals("error-rate", reason.getString("rule"));
            assertEquals("P0", reason.getString("severity"));
            assertTrue(reason.getDouble("value") > 0.05, reason.encode());

            daemon.kill9AndRestart();
            JsonObject after = daemon.release(id);
            assertEquals("rolled_back", after.getString("state"));
            assertEquals("rolled_back", after.getString("verdict"));
            // Let the restarted daemon tick a few times: had it any rollback to resend, it would have.
            Poll.until(Duration.ofSeconds(30), "three ticks after the restart",
                    () -> daemon.metric("watchdog_evaluations_total") >= 3);
            assertEquals(1, deployer.calls.size(), "no second rollback after kill -9 and restart");
        } finally {
            daemon.stop();
        }
    }

    @Test
    @Order(2)
    @DisplayName("a hotfix registered into a service already at 15 % errors: named in the answer, paged, never rolled back")
    void hotfixIntoAnOutage() {
        service.errorRatio(0.15);
        Poll.until(Duration.ofSeconds(30), "Prometheus to see the outage", () -> prometheus.query(
                "sum(rate(http_requests_total{status=\"500\"}[5s])) / sum(rate(http_requests_total[5s])) > 0.1")
                .contains("\"value\""));
        RealDaemon daemon = RealDaemon.start(DIR.resolve("hotfix"), prometheus.url(), deployer.url("/rollback"), SECRET,
                "1s", RULES);
        try {
            int calls = deployer.calls.size();
            RealDaemon.Answer answer = daemon.call("POST", "/api/v1/releases", RealDaemon.TOKEN, new JsonObject()
                    .put("service", "demo").put("version", "1.4.1-hotfix").put("environment", "hotfix").encode());
            assertEquals(201, answer.status(), answer.body());
            JsonObject before = answer.json().getJsonObject("before");
            assertEquals("error-rate", before.getJsonArray("breaching").getJsonObject(0).getString("rule"), before.encode());
            assertEquals("P0", before.getJsonArray("breaching").getJsonObject(0).getString("severity"));
            String id = answer.json().getString("id");
            Poll.until(Duration.ofSeconds(30), "the team paged", () -> "degraded".equals(daemon.release(id).getString("state")));
            double ticks = daemon.metric("watchdog_evaluations_total");
            Poll.until(Duration.ofSeconds(30), "five more ticks", () -> daemon.metric("watchdog_evaluations_total") >= ticks + 5);
            assertEquals("degraded", daemon.release(id).getString("state"));
            assertEquals(calls, deployer.calls.size(), "no rollback to a version that had the errors too");
            assertTrue(daemon.get("/api/v1/releases/" + id + "/events").contains("Already breaching before the release"));
        } finally {
            daemon.stop();
            service.errorRatio(0);
        }
    }

    private static String expectedSignature(WebhookRecorder.Call call) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signed = call.header("webhook-id") + "." + call.header("webhook-timestamp") + "." + call.body();
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }
}
