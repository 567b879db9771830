package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder;
import dev.watchdog.testing.WebhookRecorder.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The whole daemon over real HTTP, against a fake Prometheus and a webhook recorder, on a clock the test moves. */
class WatchdogTest extends DaemonTest {

    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                    for: 1m
                  - name: latency-p95
                    signal: latency
                    expr: latency_p95{service="{{service}}"}
                    unit: seconds
                    p1: "> 1"
                    p0: "> 2"
            """;

    @Override
    protected String rules() {
        return RULES;
    }

    @Override
    protected void prepare() {
        prometheus.answer("error_ratio", value("0.001"));
        prometheus.answer("latency_p95", value("0.2"));
    }

    static JsonObject registration(String version) {
        return new JsonObject().put("service", "api").put("version", version).put("previousVersion", "1.3.2")
                .put("environment", "production").put("window", "2h").put("bake", "30m");
    }

    /** Moves the clock by {@code step} and ticks, {@code times} times. */
    void tick(Duration step, int times) {
        for (int i = 0; i < times; i++) {
            clock.advance(step);
            daemon.tick();
        }
    }

    static List<String> types(JsonArray events) {
        return events.stream().map(e -> ((JsonObject) e).getString("type")).toList();
    }

    @Nested
    @DisplayName("registration")
    class Registration {
        @Test
        @DisplayName("answers 201 with the release as the contract shows it")
        void registers() {
            HttpResponse<Buffer> response = daemon.call("POST", "/api/v1/releases", Daemon.DEPLOYER,
                    registration("1.4.0").put("labels", new JsonObject().put("cluster", "eu-1")));
            assertEquals(201, response.statusCode(), response.bodyAsString());
            JsonObject r = response.bodyAsJsonObject();
            assertTrue(r.getString("id").matches("rel_[0-9A-Z]{26}"), r.getString("id"));
            assertEquals("/api/v1/releases/" + r.getString("id"), response.getHeader("Location"));
            assertEquals("watching", r.getString("state"));
            assertNull(r.getValue("verdict"));
            assertEquals("2026-11-21T10:00:00Z", r.getString("startedAt"));
            assertEquals("2026-11-21T10:30:00Z", r.getString("bakeUntil"));
            assertEquals("2026-11-21T12:00:00Z", r.getString("windowUntil"));
            assertEquals("eu-1", r.getJsonObject("labels").getString("cluster"));
            JsonObject rule = rule(r, "error-rate");
            assertEquals("waiting", rule.getString("outcome"));
            assertEquals("> 0.05", rule.getJsonObject("threshold").getString("p0"));
            assertTrue(r.containsKey("incident"));
        }

        @Test
        @DisplayName("bad input is refused with 400 naming the field, and nothing is registered")
        void badInput() {
            assertBad(new JsonObject().put("version", "1"), "service");
            assertBad(registration("1").put("labels", new JsonObject().put("cluster", "eu\"} or vector(1)")), "labels.cluster");
            assertBad(registration("1").put("service", "a\\b"), "service");
            assertBad(registration("1").put("window", "forever"), "window");
            assertBad(registration("1").put("bake", "3h"), "bake");
            assertBad(registration("1").put("rollback", "elsewhere"), "rollback");
            assertBad(registration("1").put("colour", "red"), "colour");
            assertEquals(400, daemon.call("POST", "/api/v1/releases", Daemon.DEPLOYER, "{not json").statusCode());
            assertEquals(0, daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsJsonArray().size());
        }

        void assertBad(JsonObject body, String field) {
            HttpResponse<Buffer> response = daemon.call("POST", "/api/v1/releases", Daemon.DEPLOYER, body);
            assertEquals(400, response.statusCode(), response.bodyAsString());
            assertEquals(field, response.bodyAsJsonObject().getString("field"), response.bodyAsString());
            assertFalse(response.bodyAsJsonObject().getString("error").isBlank());
        }

        @Test
        @DisplayName("a new version of the same service and environment supersedes the old window")
        void supersedes() {
            String old = daemon.register(registration("1.4.0")).getString("id");
            String other = daemon.register(registration("9.9.9").put("environment", "staging")).getString("id");
            String newer = daemon.register(registration("1.4.1")).getString("id");
            JsonObject superseded = daemon.release(old);
            assertEquals("cancelled", superseded.getString("state"));
            assertEquals(newer, superseded.getString("supersededBy"));
            assertTrue(types(daemon.events(old)).contains("superseded"));
            assertEquals("watching", daemon.release(other).getString("state"));
            assertEquals("watching", daemon.release(newer).getString("state"));
        }
    }

    @Nested
    @DisplayName("auth and limits")
    class Auth {
        @Test
        @DisplayName("401 without a token or with a wrong one, 403 with too weak a role")
        void tokens() {
            HttpResponse<Buffer> none = daemon.call("GET", "/api/v1/releases", null, null);
            assertEquals(401, none.statusCode());
            assertEquals("Bearer", none.getHeader("WWW-Authenticate"));
            assertEquals(401, daemon.call("GET", "/api/v1/releases", "guess", null).statusCode());
            HttpResponse<Buffer> weak = daemon.call("POST", "/api/v1/releases", Daemon.VIEWER, registration("1"));
            assertEquals(403, weak.statusCode());
            assertEquals("role viewer cannot do this; it needs deployer", weak.bodyAsJsonObject().getString("error"));
            assertEquals(200, daemon.call("GET", "/api/v1/releases", Daemon.ADMIN, null).statusCode());
            assertEquals(403, daemon.call("POST", "/-/reload", Daemon.DEPLOYER, null).statusCode());
        }

        @Test
        @DisplayName("a body over the limit gets 413; unknown releases 404; ending one twice 409")
        void limits() {
            String big = registration("1").put("labels", new JsonObject().put("pad", "x".repeat(5000))).encode();
            HttpResponse<Buffer> tooBig = daemon.call("POST", "/api/v1/releases", Daemon.DEPLOYER, big);
            assertEquals(413, tooBig.statusCode());
            assertEquals("the request body is too large", tooBig.bodyAsJsonObject().getString("error"));
            assertEquals(404, daemon.call("GET", "/api/v1/releases/rel_nope", Daemon.VIEWER, null).statusCode());
            String id = daemon.register(registration("1.4.0")).getString("id");
            assertEquals(200, daemon.call("POST", "/api/v1/releases/" + id + "/finish", Daemon.DEPLOYER, null).statusCode());
            HttpResponse<Buffer> again = daemon.call("DELETE", "/api/v1/releases/" + id, Daemon.DEPLOYER, null);
            assertEquals(409, again.statusCode());
            assertEquals("release " + id + " is passed, not watched", again.bodyAsJsonObject().getString("error"));
        }

        @Test
        @DisplayName("no secret appears in any API answer or the metrics")
        void noSecrets() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            String everything = daemon.release(id).encode() + daemon.events(id).encode() + daemon.metrics()
                    + daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsString();
            for (String secret : List.of(Daemon.DEPLOYER, Daemon.VIEWER, Daemon.ADMIN, Daemon.SECRET)) {
                assertFalse(everything.contains(secret), secret);
            }
        }
    }

    @Nested
    @DisplayName("P0")
    class P0 {
        @Test
        @DisplayName("rolls back at once with one signed webhook call; later ticks send nothing more")
        void rollsBack() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            daemon.tick();
            prometheus.answer("latency_p95", value("2.7"));
            tick(Duration.ofSeconds(15), 1);
            Poll.until(Duration.ofSeconds(5), "the rollback to be answered",
                    () -> "rolled_back".equals(daemon.release(id).getString("state")));
            tick(Duration.ofSeconds(15), 3);

            assertEquals(1, deployer.calls.size());
            WebhookRecorder.Call call = deployer.calls.get(0);
            assertEquals(id + ":rollback", call.header("Idempotency-Key"));
            assertTrue(call.header("webhook-signature").startsWith("v1,"));
            JsonObject body = new JsonObject(call.body());
            assertEquals("rollback", body.getString("type"));
            assertEquals("watchdog", body.getString("triggeredBy"));
            assertEquals(new JsonObject().put("rule", "latency-p95").put("severity", "P0").put("value", 2.7)
                    .put("threshold", "> 2"), body.getJsonObject("reason"));
            assertEquals(id, body.getJsonObject("release").getString("id"));
            assertEquals("1.3.2", body.getJsonObject("release").getString("previousVersion"));
            assertEquals("2026-11-21T10:00:15Z", body.getString("at"));

            JsonObject release = daemon.release(id);
            assertEquals("rolled_back", release.getString("verdict"));
            assertEquals("p0", rule(release, "latency-p95").getString("outcome"));
            assertTrue(types(daemon.events(id)).containsAll(List.of("registered", "outcome", "rollback_requested",
                    "rollback_succeeded")), daemon.events(id).encode());
            assertEquals("pending", release.getJsonObject("verification").getString("state"),
                    "the rule that breached is watched until it recovers");
            String metrics = daemon.metrics();
            assertTrue(metrics.contains("watchdog_rollbacks_total{outcome=\"succeeded\"} 1.0"), metrics);
            assertTrue(metrics.contains("watchdog_releases{state=\"rolled_back\"} 1.0"), metrics);
            String named = daemon.call("GET", "/metrics?name[]=watchdog_rollbacks_total&name[]=watchdog_releases", null, null)
                    .bodyAsString();
            assertTrue(named.contains("watchdog_rollbacks_total{outcome=\"succeeded\"} 1.0"), named);
            assertTrue(named.contains("watchdog_releases{state=\"rolled_back\"} 1.0"), named);
            assertFalse(named.contains("jvm_") || named.contains("watchdog_evaluation_duration_seconds"),
                    "only the metrics named: " + named);
        }

        @Test
        @DisplayName("a rollback the deployer refuses (400) is not retried and the release reads rollback_failed")
        void refused() {
            deployer.reply(Reply.status(400));
            String id = daemon.register(registration("1.4.0")).getString("id");
            prometheus.answer("latency_p95", value("3"));
            daemon.tick();
            Poll.until(Duration.ofSeconds(5), "the rollback to be answered",
                    () -> "rollback_failed".equals(daemon.release(id).getString("state")));
            assertEquals(1, deployer.calls.size());
            assertEquals("failed", daemon.release(id).getString("verdict"));
        }

        @Test
        @DisplayName("a failing Prometheus is an error outcome, never a rollback")
        void errorsNeverRollBack() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            prometheus.answer("latency_p95", FakePrometheus.error(422, "execution", "boom"));
            prometheus.answer("error_ratio", FakePrometheus.error(503, "timeout", "slow"));
            tick(Duration.ofSeconds(15), 10);
            JsonObject release = daemon.release(id);
            assertEquals("watching", release.getString("state"));
            assertEquals("error", rule(release, "latency-p95").getString("outcome"));
            assertEquals("execution: boom", rule(release, "latency-p95").getString("message"));
            assertEquals(0, deployer.calls.size());
        }
    }

    @Nested
    @DisplayName("P1 and the window")
    class Window {
        @Test
        @DisplayName("a P1 held for 'for' degrades the release; health held as long restores it")
        void degradesAndRecovers() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            tick(Duration.ofSeconds(15), 1);
            prometheus.answer("error_ratio", value("0.02"));
            tick(Duration.ofSeconds(15), 3);
            assertEquals("watching", daemon.release(id).getString("state"), "breaching since T+15s: 45s at T+60s");
            assertEquals("pending", rule(daemon.release(id), "error-rate").getString("outcome"));
            tick(Duration.ofSeconds(15), 1);
            assertEquals("degraded", daemon.release(id).getString("state"), "a full minute at T+75s");
            assertEquals(0.02, rule(daemon.release(id), "error-rate").getDouble("value"));
            prometheus.answer("error_ratio", value("0.001"));
            tick(Duration.ofSeconds(15), 4);
            assertEquals("degraded", daemon.release(id).getString("state"));
            tick(Duration.ofSeconds(15), 1);
            assertEquals("watching", daemon.release(id).getString("state"));
            assertTrue(types(daemon.events(id)).containsAll(List.of("degraded", "recovered")));
            assertEquals(0, deployer.calls.size());
            List<String> messages = daemon.events(id).stream().map(e -> ((JsonObject) e).getString("message")).toList();
            assertTrue(messages.contains("error-rate is pending (value 0.02000, threshold > 0.01)"), messages.toString());
            assertTrue(messages.contains("error-rate is ok (value 0.001000, threshold > 0.01)"), messages.toString());
        }

        @Test
        @DisplayName("an event shows the threshold being approached: P0's while pending towards P0")
        void thresholdShown() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            tick(Duration.ofSeconds(15), 1);
            prometheus.answer("error_ratio", value("0.02"));
            tick(Duration.ofSeconds(15), 4);
            prometheus.answer("error_ratio", value("0.07"));
            tick(Duration.ofSeconds(15), 1);
            JsonObject pending = daemon.events(id).stream().map(JsonObject.class::cast)
                    .filter(e -> "pending".equals(e.getJsonObject("data", new JsonObject()).getString("outcome")))
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals("error-rate is pending (value 0.07000, threshold > 0.05)", pending.getString("message"));
            assertEquals(0.07, pending.getJsonObject("data").getDouble("value"));
        }

        @Test
        @DisplayName("healthy once the bake passes with nothing open; passed when the window ends")
        void bakeAndWindow() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            CompletableFuture<HttpResponse<Buffer>> waiting = CompletableFuture.supplyAsync(() ->
                    daemon.call("GET", "/api/v1/releases/" + id + "/verdict?wait=1m", Daemon.VIEWER, null));
            tick(Duration.ofMinutes(10), 2);
            assertFalse(waiting.isDone(), "no verdict before the bake has passed");
            tick(Duration.ofMinutes(10), 1);
            JsonObject verdict = waiting.join().bodyAsJsonObject();
            assertEquals("healthy", verdict.getString("verdict"));
            assertEquals("watching", verdict.getString("state"));
            tick(Duration.ofMinutes(30), 3);
            assertEquals("passed", daemon.release(id).getString("state"));
            assertEquals(1, daemon.call("GET", "/api/v1/releases?state=passed", Daemon.VIEWER, null).bodyAsJsonArray().size());
        }

        @Test
        @DisplayName("verdict?wait returns the undecided release when the wait runs out")
        void waitRunsOut() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            JsonObject r = daemon.call("GET", "/api/v1/releases/" + id + "/verdict?wait=200ms", Daemon.VIEWER, null)
                    .bodyAsJsonObject();
            assertNull(r.getValue("verdict"));
            assertEquals(400, daemon.call("GET", "/api/v1/releases/" + id + "/verdict?wait=later", Daemon.VIEWER, null)
                    .statusCode());
        }

        @Test
        @DisplayName("finish records who ended it and why, with a healthy verdict")
        void finish() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            JsonObject r = daemon.call("POST", "/api/v1/releases/" + id + "/finish", Daemon.DEPLOYER,
                    new JsonObject().put("reason", "smoke tests green")).bodyAsJsonObject();
            assertEquals("passed", r.getString("state"));
            assertEquals("healthy", r.getString("verdict"));
            JsonObject finished = daemon.events(id).stream().map(JsonObject.class::cast)
                    .filter(e -> e.getString("type").equals("finished")).findFirst().orElseThrow();
            assertEquals("ci", finished.getJsonObject("data").getString("by"));
            assertEquals("smoke tests green", finished.getJsonObject("data").getString("reason"));
        }
    }

    @Nested
    @DisplayName("metrics")
    class Metrics {
        @Test
        @DisplayName("per-release values and the current outcome are exposed while it is watched, follow it, and leave "
                + "when it ends")
        void bounded() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            daemon.tick();
            String live = daemon.metrics();
            assertTrue(live.contains("watchdog_rule_value{environment=\"production\",release=\"" + id
                    + "\",rule=\"latency-p95\",service=\"api\"} 0.2"), live);
            assertTrue(live.contains("watchdog_rule_outcome{environment=\"production\",outcome=\"ok\",release=\"" + id
                    + "\",rule=\"error-rate\",service=\"api\"} 1.0"), live);
            assertFalse(live.contains("outcome=\"waiting\",release=\"" + id), "only the current outcome: " + live);
            assertTrue(live.contains("watchdog_releases{state=\"watching\"} 1.0"), live);
            assertTrue(live.contains("watchdog_last_successful_evaluation_timestamp_seconds "
                    + (double) T0.getEpochSecond()), live);
            assertTrue(live.contains("jvm_memory_used_bytes"), live);
            prometheus.answer("error_ratio", value("0.02"));
            tick(Duration.ofSeconds(15), 1);
            String pending = daemon.metrics();
            assertTrue(pending.contains("watchdog_rule_outcome{environment=\"production\",outcome=\"pending\",release=\""
                    + id + "\",rule=\"error-rate\",service=\"api\"} 1.0"), pending);
            assertFalse(pending.contains("outcome=\"ok\",release=\"" + id + "\",rule=\"error-rate\""), pending);
            assertTrue(pending.contains("watchdog_rule_value{environment=\"production\",release=\"" + id
                    + "\",rule=\"error-rate\",service=\"api\"} 0.02"), pending);
            daemon.call("DELETE", "/api/v1/releases/" + id, Daemon.DEPLOYER, null);
            String after = daemon.metrics();
            assertFalse(after.contains("release=\"" + id), after);
            assertTrue(after.contains("watchdog_releases_ended_total{state=\"cancelled\"} 1.0"), after);
            assertEquals(200, daemon.call("GET", "/readyz", null, null).statusCode());
        }
    }

    @Nested
    @DisplayName("restart")
    class Restart {
        @Test
        @DisplayName("a rollback stored but unanswered is sent again after a restart, with the same idempotency key, once")
        void resumesRollback() throws Exception {
            deployer.reply(Reply.hanging());
            String id = daemon.register(registration("1.4.0")).getString("id");
            prometheus.answer("latency_p95", value("5"));
            daemon.tick();
            deployer.arrived(1, Duration.ofSeconds(5)).await();
            daemon.stop();

            daemon = newDaemon();
            Poll.until(Duration.ofSeconds(5), "the resent rollback",
                    () -> "rolled_back".equals(daemon.release(id).getString("state")));
            tick(Duration.ofSeconds(15), 2);
            assertEquals(2, deployer.calls.size());
            WebhookRecorder.Call first = deployer.calls.get(0);
            WebhookRecorder.Call second = deployer.calls.get(1);
            assertEquals(first.header("Idempotency-Key"), second.header("Idempotency-Key"));
            assertEquals(first.header("webhook-id"), second.header("webhook-id"));
            assertEquals(first.body(), second.body());
        }

        @Test
        @DisplayName("an answered rollback is never sent again after a restart")
        void neverTwice() throws Exception {
            String id = daemon.register(registration("1.4.0")).getString("id");
            prometheus.answer("latency_p95", value("5"));
            daemon.tick();
            Poll.until(Duration.ofSeconds(5), "the rollback", () -> "rolled_back".equals(daemon.release(id).getString("state")));
            daemon.stop();
            daemon = newDaemon();
            tick(Duration.ofSeconds(15), 3);
            assertEquals(1, deployer.calls.size());
            assertEquals("rolled_back", daemon.release(id).getString("state"));
        }

        @Test
        @DisplayName("a watched release and its rule clocks survive a restart: a pending breach keeps its start")
        void keepsRuleState() throws Exception {
            String id = daemon.register(registration("1.4.0")).getString("id");
            tick(Duration.ofSeconds(15), 1);
            prometheus.answer("error_ratio", value("0.03"));
            tick(Duration.ofSeconds(15), 2);
            assertEquals("pending", rule(daemon.release(id), "error-rate").getString("outcome"));
            daemon.stop();
            daemon = newDaemon();
            assertEquals("pending", rule(daemon.release(id), "error-rate").getString("outcome"));
            tick(Duration.ofSeconds(15), 1);
            assertEquals("watching", daemon.release(id).getString("state"), "breaching since T+15s: 45s at T+60s");
            tick(Duration.ofSeconds(15), 1);
            assertEquals("degraded", daemon.release(id).getString("state"), "the 'for' clock started before the restart");
        }
    }
}
