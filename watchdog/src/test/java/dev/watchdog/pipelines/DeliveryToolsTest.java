package dev.watchdog.pipelines;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchdog.testing.Cli;
import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.Poll;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Argo Rollouts' web metric, Flagger's webhooks, and the DORA figures, through the whole daemon. */
class DeliveryToolsTest extends PipelineRig {

    static final String WEB_ONLY = "web-only-deployer-token-1";
    static final Path TEMPLATE = Path.of("..", "docs", "examples", "argo-analysis-template.yaml");
    static final Map<String, String> ARGS = Map.of("service", "api", "environment", "production", "version", "6c9bd8675b",
            "rollout", "api", "namespace", "shop", "token", Daemon.DEPLOYER);

    /** With a deployer token scoped to the service web: Flagger's routes keep to scopes as the API's do. */
    @Override
    protected Daemon newDaemon() throws Exception {
        Daemon d = new Daemon(vertx, dir, clock, prometheus.url(), deployer.url("/rollback"), rules(), extraConfig());
        Path yml = dir.resolve("watchdog.yml");
        Files.writeString(yml, Files.readString(yml).replace("    - {name: alice, role: oncall,",
                "    - {name: web-team, role: deployer, token: \"" + WEB_ONLY + "\", scope: {services: [web]}}\n"
                        + "    - {name: alice, role: oncall,"));
        return d.start();
    }

    /**
     * The documented AnalysisTemplate run as Argo runs one measurement of a web metric: its
     * {{args.*}} filled, the request sent, {@code jsonPath} applied to the JSON answer, and the
     * conditions evaluated (Argo's expr syntax, for the one comparison the template uses).
     */
    final class Analysis {
        final JsonNode metrics;

        Analysis() throws Exception {
            metrics = new ObjectMapper(new YAMLFactory()).readTree(TEMPLATE.toFile()).path("spec").path("metrics");
        }

        JsonNode metric(String name) {
            for (JsonNode m : metrics) {
                if (m.path("name").asText().equals(name)) {
                    return m;
                }
            }
            throw new AssertionError("no metric " + name);
        }

        /** Successful, Failed or Inconclusive, as Argo counts the measurement. */
        String measure(String name) {
            JsonNode m = metric(name);
            JsonNode web = m.path("provider").path("web");
            String url = fill(web.path("url").asText()).replace("http://watchdog.watchdog.svc:8080", "");
            HttpResponse<Buffer> answer = web.path("method").asText("GET").equals("POST")
                    ? daemon.call("POST", url, Daemon.DEPLOYER, fill(web.path("body").asText()))
                    : daemon.call("GET", url, Daemon.DEPLOYER, null);
            assertTrue(answer.statusCode() / 100 == 2, answer.bodyAsString());
            return evaluate(m, jsonPath(web.path("jsonPath").asText(), answer.bodyAsJsonObject()));
        }

        /**
         * As Argo's EvaluateResult: without a failure condition, not succeeding fails; without a success
         * condition, not failing succeeds; with both, neither is inconclusive.
         */
        String evaluate(JsonNode m, String result) {
            boolean hasSuccess = m.has("successCondition");
            boolean hasFailure = m.has("failureCondition");
            boolean success = hasSuccess && holds(m.path("successCondition").asText(), result);
            boolean failure = hasFailure ? holds(m.path("failureCondition").asText(), result) : hasSuccess && !success;
            success = hasSuccess ? success : !failure;
            return failure ? "Failed" : success ? "Successful" : "Inconclusive";
        }

        String fill(String template) {
            String out = template;
            for (Map.Entry<String, String> a : ARGS.entrySet()) {
                out = out.replace("{{args." + a.getKey() + "}}", a.getValue());
            }
            return out.replace("{{args.watchdog-url}}", "");
        }
    }

    /** {@code {$.a.b}}: the field of the answer, as text. */
    static String jsonPath(String path, JsonObject answer) {
        Matcher m = Pattern.compile("\\{\\$\\.([A-Za-z.]+)}").matcher(path);
        assertTrue(m.matches(), path);
        Object value = answer;
        for (String key : m.group(1).split("\\.")) {
            value = ((JsonObject) value).getValue(key);
        }
        return String.valueOf(value);
    }

    /** Argo's {@code result == "x"} and {@code result != "x"} (either quote). */
    static boolean holds(String condition, String result) {
        Matcher m = Pattern.compile("result\\s*(==|!=)\\s*[\"']([^\"']*)[\"']").matcher(condition.strip());
        assertTrue(m.matches(), "a condition the evaluator knows: " + condition);
        return m.group(1).equals("==") == result.equals(m.group(2));
    }

    @Nested
    @DisplayName("Argo Rollouts' web metric, with the documented AnalysisTemplate")
    class Argo {
        @Test
        @DisplayName("no release yet and no verdict yet are inconclusive; registered from the rollout; healthy succeeds")
        void healthy() throws Exception {
            Analysis analysis = new Analysis();
            assertEquals("Inconclusive", analysis.measure("verdict"), "nothing registered yet");
            assertEquals("Successful", analysis.measure("register"));
            JsonObject release = daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsJsonArray().getJsonObject(0);
            assertEquals("6c9bd8675b", release.getString("version"));
            assertEquals(new JsonObject().put("namespace", "shop").put("rollout", "api"), release.getJsonObject("labels"));
            daemon.tick();
            assertEquals("Inconclusive", analysis.measure("verdict"), "no verdict yet");
            tick(Duration.ofMinutes(1), 31);
            assertEquals("Successful", analysis.measure("verdict"));
        }

        @Test
        @DisplayName("a P1 awaiting a decision is inconclusive; a P0 fails")
        void breaches() throws Exception {
            Analysis analysis = new Analysis();
            analysis.measure("register");
            daemon.tick();
            prometheus.answer("error_ratio", value("0.023"));
            tick(Duration.ofSeconds(15), 5);
            assertEquals("Inconclusive", analysis.measure("verdict"), "P1: a person decides");
            prometheus.answer("error_ratio", value("0.2"));
            tick(Duration.ofSeconds(15), 5);
            assertEquals("Failed", analysis.measure("verdict"));
        }

        @Test
        @DisplayName("unjudged (no rule had any data) is inconclusive, never a success")
        void unjudged() throws Exception {
            Analysis analysis = new Analysis();
            analysis.measure("register");
            prometheus.answer("error_ratio", dev.watchdog.testing.FakePrometheus.empty());
            tick(Duration.ofMinutes(1), 31);
            JsonObject gate = daemon.call("GET", "/api/v1/analysis?service=api&environment=production&version=6c9bd8675b",
                    Daemon.VIEWER, null).bodyAsJsonObject();
            assertEquals("unjudged", gate.getString("verdict"));
            assertEquals("Inconclusive", analysis.measure("verdict"));
        }
    }

    @Nested
    @DisplayName("Flagger's webhooks")
    class Flagger {
        JsonObject payload(String phase, String token) {
            return new JsonObject().put("name", "podinfo").put("namespace", "test").put("phase", phase)
                    .put("checksum", "7d4c9bc5f8")
                    .put("metadata", new JsonObject().put("service", "api").put("environment", "production").put("token", token));
        }

        /** As Flagger posts: its JSON payload, and no header of ours. */
        int hook(String type, JsonObject body) {
            MultiMap json = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
            return post("/api/v1/flagger/" + type, json, body.encode()).statusCode();
        }

        JsonObject onlyRelease() {
            JsonArray all = daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsJsonArray();
            assertEquals(1, all.size(), all.encode());
            return all.getJsonObject(0);
        }

        @Test
        @DisplayName("Progressing registers (token from metadata), rollback answers 2xx only once the watchdog rolls back,"
                + " confirm-promotion only when healthy")
        void hooks() {
            assertEquals(401, hook("event", payload("Progressing", "not-a-token-at-all")));
            assertEquals(403, hook("event", payload("Progressing", Daemon.VIEWER)));
            assertEquals(202, hook("event", payload("Progressing", Daemon.DEPLOYER)));
            Poll.until(Duration.ofSeconds(10), "the canary's release", () -> !daemon.call("GET", "/api/v1/releases",
                    Daemon.VIEWER, null).bodyAsJsonArray().isEmpty());
            assertEquals(202, hook("event", payload("Progressing", Daemon.DEPLOYER)));
            JsonObject release = daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsJsonArray().getJsonObject(0);
            assertEquals("7d4c9bc5f8", release.getString("version"));
            assertEquals("podinfo", release.getJsonObject("labels").getString("canary"));
            daemon.tick();
            assertEquals(409, hook("rollback", payload("Progressing", Daemon.VIEWER)));
            assertEquals(409, hook("confirm-promotion", payload("WaitingPromotion", Daemon.VIEWER)));
            tick(Duration.ofMinutes(1), 31);
            assertEquals(200, hook("confirm-promotion", payload("WaitingPromotion", Daemon.VIEWER)));
            assertEquals(1, daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsJsonArray().size(),
                    "registered once");
            prometheus.answer("error_ratio", value("0.2"));
            tick(Duration.ofSeconds(15), 5);
            assertEquals(200, hook("rollback", payload("Progressing", Daemon.VIEWER)));
            assertEquals(409, hook("confirm-promotion", payload("WaitingPromotion", Daemon.VIEWER)));
        }

        @Test
        @DisplayName("a version the watchdog rolled back is not registered again by Flagger's later Progressing events")
        void rolledBackStaysSo() {
            hook("event", payload("Progressing", Daemon.DEPLOYER));
            Poll.until(Duration.ofSeconds(10), "the canary's release", () -> !daemon.call("GET", "/api/v1/releases",
                    Daemon.VIEWER, null).bodyAsJsonArray().isEmpty());
            daemon.tick();
            prometheus.answer("error_ratio", value("0.2"));
            tick(Duration.ofSeconds(15), 5);
            Poll.until(Duration.ofSeconds(10), "the rollback", () -> "rolled_back".equals(onlyRelease().getString("state")));
            prometheus.answer("error_ratio", value("0.001"));
            tick(Duration.ofSeconds(15), 10);
            String id = onlyRelease().getString("id");
            Poll.until(Duration.ofSeconds(10), "health restored", () -> "recovered".equals(daemon.release(id)
                    .getJsonObject("verification").getString("state")));
            assertEquals(202, hook("event", payload("Progressing", Daemon.DEPLOYER)));
            tick(Duration.ofSeconds(1), 1);
            assertEquals("rolled_back", onlyRelease().getString("state"), "still one release, rolled back");
            assertEquals(200, hook("rollback", payload("Progressing", Daemon.VIEWER)));
        }

        @Test
        @DisplayName("a scoped token registers and cancels only within its scope, as POST and DELETE do")
        void scoped() {
            assertEquals(403, hook("event", payload("Progressing", WEB_ONLY)));
            hook("event", payload("Progressing", Daemon.DEPLOYER));
            Poll.until(Duration.ofSeconds(10), "the canary's release", () -> !daemon.call("GET", "/api/v1/releases",
                    Daemon.VIEWER, null).bodyAsJsonArray().isEmpty());
            assertEquals(403, hook("event", payload("Failed", WEB_ONLY)));
            assertEquals("watching", onlyRelease().getString("state"));
            assertEquals(200, hook("event", payload("Failed", Daemon.DEPLOYER)));
            JsonObject cancelled = onlyRelease();
            assertEquals("cancelled", cancelled.getString("state"));
            String events = daemon.events(cancelled.getString("id")).encode();
            assertTrue(events.contains("cancelled by ci"), "in the token's name: " + events);
        }

        @Test
        @DisplayName("Failed (Flagger rolled the canary back itself) cancels the window; an unknown canary is 404")
        void failed() {
            assertEquals(404, hook("rollback", payload("Progressing", Daemon.VIEWER)));
            hook("event", payload("Progressing", Daemon.DEPLOYER));
            Poll.until(Duration.ofSeconds(10), "the canary's release", () -> !daemon.call("GET", "/api/v1/releases",
                    Daemon.VIEWER, null).bodyAsJsonArray().isEmpty());
            assertEquals(200, hook("event", payload("Failed", Daemon.DEPLOYER)));
            assertEquals("cancelled", daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsJsonArray()
                    .getJsonObject(0).getString("state"));
        }
    }

    @Nested
    @DisplayName("DORA")
    class Dora {
        @Test
        @DisplayName("a rolled back release is a failed deployment with its times, in the metrics, the API and the CLI")
        void figures() {
            // The rule selects by service alone: staging ends its window healthy before production breaches.
            String healthy = daemon.register(registration("1.3.9").put("environment", "staging").put("window", "30m"))
                    .getString("id");
            tick(Duration.ofMinutes(1), 31);
            assertEquals("passed", daemon.release(healthy).getString("state"));
            String id = daemon.register(registration("1.4.0")).getString("id");
            daemon.tick();
            prometheus.answer("error_ratio", value("0.2"));
            tick(Duration.ofSeconds(15), 5);
            Poll.until(Duration.ofSeconds(10), "the rollback", () -> "rolled_back".equals(daemon.release(id).getString("state")));
            String metrics = daemon.metrics();
            assertTrue(metrics.contains("watchdog_dora_deployments_total{environment=\"production\",service=\"api\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("watchdog_dora_deployments_failed_total{environment=\"production\",service=\"api\"} 1.0"));
            assertTrue(metrics.contains("watchdog_dora_time_to_detect_seconds_count{environment=\"production\",service=\"api\"} 1"));
            assertTrue(metrics.contains("watchdog_dora_recovery_seconds_count{environment=\"production\",service=\"api\"} 1"));

            JsonObject report = daemon.call("GET", "/api/v1/reports/dora?since=30d", Daemon.VIEWER, null).bodyAsJsonObject();
            JsonObject production = report.getJsonArray("rows").getJsonObject(0);
            assertEquals("production", production.getString("environment"));
            assertEquals(1, production.getInteger("deployments"));
            assertEquals(1, production.getInteger("failed"));
            assertEquals(1.0, production.getDouble("changeFailureRate"));
            assertEquals(1, production.getJsonObject("timeToDetect").getInteger("count"));
            assertEquals(1, production.getJsonObject("recovery").getInteger("count"));
            JsonObject staging = report.getJsonArray("rows").getJsonObject(1);
            assertEquals("staging", staging.getString("environment"));
            assertEquals(1, staging.getInteger("deployments"));
            assertEquals(0.0, staging.getDouble("changeFailureRate"));

            Cli.Streams text = Cli.streams("report", "dora", "--since", "30d", "--url", daemon.url(), "--token", Daemon.VIEWER);
            assertEquals(0, text.code(), text.stderr());
            assertTrue(text.stdout().contains("api"), text.stdout());
            assertTrue(text.stdout().contains("100.0%"), text.stdout());
            Cli.Streams json = Cli.streams("report", "dora", "-o", "json", "--url", daemon.url(), "--token", Daemon.VIEWER);
            assertEquals(2, new JsonObject(json.stdout()).getJsonArray("rows").size(), json.stdout());
        }
    }
}
