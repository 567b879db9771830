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
}
