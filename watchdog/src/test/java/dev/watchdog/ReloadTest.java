package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.lang.reflect.RecordComponent;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.watchdog.config.WatchdogConfig;
import org.junit.jupiter.api.Nested;
import static dev.watchdog.testing.FakePrometheus.value;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** POST /-/reload: the whole config and its rule files again, all or nothing, and what waits for a restart. */
class ReloadTest extends DaemonTest {

    static final String RULE = """
            groups:
              - name: g
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p1: "> 0.01"
            """;

    @Override
    protected String rules() {
        return RULE;
    }

    @Override
    protected String extraConfig() {
        return """
                receivers:
                  devops: {webhook: {url: "%s"}, minInterval: 0s}
                  cto: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels:
                      - {after: 0m, notify: [devops]}
                      - {after: 15m, notify: [cto]}
                """.formatted(deployer.url("/devops"), deployer.url("/cto"));
    }

    /** A release whose error-rate breaches at P1: its incident opens and pages devops. */
    String breaching() {
        prometheus.answer("error_ratio", value("0.05"));
        String id = release().getString("id");
        daemon.tick();
        assertEquals("open", daemon.release(id).getJsonObject("incident").getString("status"), daemon.release(id).encode());
        return id;
    }

    void edit(String file, String from, String to) throws Exception {
        Path path = dir.resolve(file);
        String text = Files.readString(path);
        assertTrue(text.contains(from), from + " in " + text);
        Files.writeString(path, text.replace(from, to));
    }

    /** The refusal's message, after checking it is a 400 and that the old config stays. */
    String refused() {
        HttpResponse<Buffer> answer = reload();
        assertEquals(400, answer.statusCode(), answer.bodyAsString());
        assertTrue(daemon.metrics().contains("watchdog_config_last_reload_successful 0.0"));
        return answer.bodyAsJsonObject().getString("error");
    }

    JsonObject release() {
        return daemon.register(new JsonObject().put("service", "api").put("version", "1").put("environment", "prod"));
    }

    HttpResponse<Buffer> reload() {
        return daemon.call("POST", "/-/reload", Daemon.ADMIN, null);
    }

    @Test
    @DisplayName("rules, tokens and receivers change at once; the answer counts the rules and names nothing to restart")
    void reloads() throws Exception {
        String id = release().getString("id");
        Files.writeString(dir.resolve("rules/test.yml"), RULE + """
                      - name: latency
                        signal: latency
                        expr: latency{service="{{service}}"}
                        p1: "> 1"
                """);
        Files.writeString(dir.resolve("watchdog.yml"), Files.readString(dir.resolve("watchdog.yml")).replace(
                "    - {name: alice, role: oncall,", "    - {name: bob, role: oncall, token: \"bob-token-1\"}\n"
                        + "    - {name: alice, role: oncall,"));
        HttpResponse<Buffer> answer = reload();
        assertEquals(200, answer.statusCode(), answer.bodyAsString());
        assertEquals(new JsonObject().put("rules", 2).put("restartNeeded", new JsonArray()), answer.bodyAsJsonObject());
        assertEquals(200, daemon.call("GET", "/api/v1/releases/" + id, "bob-token-1", null).statusCode());
        assertEquals(2, daemon.release(id).getJsonArray("rules").size());
        assertTrue(daemon.metrics().contains("watchdog_config_last_reload_successful 1.0"));
    }

    @Test
    @DisplayName("a broken config is refused with its file and line, and everything in force stays")
    void refusesBrokenConfig() throws Exception {
        String yml = Files.readString(dir.resolve("watchdog.yml"));
        Files.writeString(dir.resolve("watchdog.yml"), yml + "evaluation: {interval: 5s}\n");
        HttpResponse<Buffer> answer = reload();
        assertEquals(400, answer.statusCode(), answer.bodyAsString());
        assertTrue(answer.bodyAsJsonObject().getString("error").contains("watchdog.yml:"), answer.bodyAsString());
        assertTrue(daemon.metrics().contains("watchdog_config_last_reload_successful 0.0"));
        Files.writeString(dir.resolve("rules/test.yml"), "groups: [{name: g, rules: [{name: x}]}]\n");
        Files.writeString(dir.resolve("watchdog.yml"), yml);
        assertEquals(400, reload().statusCode(), "a broken rule file is refused too");
        assertEquals(1, daemon.release(release().getString("id")).getJsonArray("rules").size(), "the rules in force stay");
    }

    @Test
    @DisplayName("what only a restart can change is kept, and named")
    void namesWhatNeedsARestart() throws Exception {
        Files.writeString(dir.resolve("watchdog.yml"), Files.readString(dir.resolve("watchdog.yml"))
                .replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:1") + "metrics: {ruleSeries: notOk}\n");
        HttpResponse<Buffer> answer = reload();
        assertEquals(200, answer.statusCode(), answer.bodyAsString());
        assertEquals(new JsonArray().add("server.listen").add("metrics"),
                answer.bodyAsJsonObject().getJsonArray("restartNeeded"));
        assertEquals(200, daemon.call("GET", "/readyz", null, null).statusCode(), "still listening where it was");
    }

    @Nested
    @DisplayName("a reload that would take escalation from an open incident is refused, naming it and what is missing")
    class KeepsEscalation {

        @Test
        @DisplayName("a receiver the incident pages, renamed")
        void renamedReceiver() throws Exception {
            String id = breaching();
            edit("watchdog.yml", "devops", "sre");
            assertEquals("reload refused, the config in force stays: incident " + id + ".1 of release " + id
                    + " (api 1 in prod) pages receiver 'devops', which the new config removes", refused());
            edit("watchdog.yml", "sre", "devops");
            assertEquals(200, reload().statusCode(), "the config as it was reloads");
        }

        @Test
        @DisplayName("the policy the release escalates by, removed")
        void removedPolicy() throws Exception {
            String id = breaching();
            edit("watchdog.yml", "  default:\n    levels:", "  standard:\n    levels:");
            assertEquals("reload refused, the config in force stays: release " + id
                    + " (api 1 in prod) escalates by policy 'default', which the new config removes", refused());
        }

        @Test
        @DisplayName("a rule breaching in the incident, renamed: refused while it is open, taken once it resolved")
        void renamedBreachingRule() throws Exception {
            String id = breaching();
            edit("rules/test.yml", "name: error-rate", "name: error-ratio");
            assertEquals("reload refused, the config in force stays: incident " + id + ".1 of release " + id
                    + " (api 1 in prod) counts rule 'error-rate', which the new rule files no longer have for it"
                    + " (renamed? its breach would read as a recovery)", refused());
            assertEquals("p1", rule(daemon.release(id), "error-rate").getString("outcome"), "the rule in force still judges");

            prometheus.answer("error_ratio", value("0.001"));
            clock.advance(Duration.ofSeconds(15));
            daemon.tick();
            assertEquals("resolved", daemon.release(id).getJsonObject("incident").getString("status"));
            assertEquals(200, reload().statusCode());
            assertEquals("error-ratio", daemon.release(id).getJsonArray("rules").getJsonObject(0).getString("name"));
        }
    }

    @Test
    @DisplayName("every server key either takes effect at a reload or is named as waiting for a restart")
    void everyServerKeyIsClassified() throws Exception {
        for (RecordComponent c : WatchdogConfig.Server.class.getRecordComponents()) {
            JsonProperty named = c.getAccessor().getAnnotation(JsonProperty.class);
            String key = named == null ? c.getName() : named.value();
            assertTrue(Reload.SERVER_RELOADED.contains(c.getName()) ^ Reload.START_ONLY.containsKey("server." + key),
                    "server." + key + " is reloaded or needs a restart, exactly one");
        }
        edit("watchdog.yml", "maxBodyBytes: 4096", "maxBodyBytes: 8192\n  limits: {maxConnections: 10}");
        assertEquals(new JsonArray().add("server.maxBodyBytes").add("server.limits"),
                reload().bodyAsJsonObject().getJsonArray("restartNeeded"));
    }
}
