package dev.watchdog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.Logs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the API does with a hostile or careless client: headers, bounded parameters, refused tokens, scopes. */
class ApiGuardsTest extends DaemonTest {

    static final String TEAM_A = "team-a-deployer-token-1";
    static final String TEAM_A_ONCALL = "team-a-oncall-token-1";

    @Override
    protected String rules() {
        return """
                groups:
                  - name: g
                    rules:
                      - {name: error-rate, signal: errors, expr: 'error_ratio{service="{{service}}"}', p1: "> 0.01"}
                """;
    }

    @Override
    protected Daemon newDaemon() throws Exception {
        Daemon d = new Daemon(vertx, dir, clock, prometheus.url(), deployer.url("/rollback"), rules(), extraConfig());
        Path yml = dir.resolve("watchdog.yml");
        Files.writeString(yml, Files.readString(yml).replace("    - {name: alice, role: oncall,",
                "    - {name: team-a, role: deployer, token: \"" + TEAM_A + "\","
                        + " scope: {services: [api, \"web-*\"], environments: [production]}}\n"
                        + "    - {name: team-a-oncall, role: oncall, token: \"" + TEAM_A_ONCALL + "\", scope: {services: [api]}}\n"
                        + "    - {name: alice, role: oncall,"));
        return d.start();
    }

    JsonObject release(String service, String environment) {
        return new JsonObject().put("service", service).put("version", "1").put("environment", environment);
    }

    @Test
    @DisplayName("API answers say nosniff and no-store, refusals too; the page keeps its own no-cache")
    void headers() {
        for (HttpResponse<Buffer> r : List.of(daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null),
                daemon.call("GET", "/api/v1/releases", null, null), daemon.call("GET", "/api/v1/nosuch", Daemon.VIEWER, null),
                daemon.call("GET", "/healthz", null, null), daemon.call("POST", "/-/reload", Daemon.VIEWER, null))) {
            assertEquals("nosniff", r.getHeader("X-Content-Type-Options"), r.bodyAsString());
            assertEquals("no-store", r.getHeader("Cache-Control"), r.bodyAsString());
        }
        HttpResponse<Buffer> page = daemon.call("GET", "/", null, null);
        assertEquals(200, page.statusCode());
        assertEquals("no-cache", page.getHeader("Cache-Control"));
        assertEquals("nosniff", page.getHeader("X-Content-Type-Options"));
    }

    @Test
    @DisplayName("verdict?wait= is a duration up to 30m: more, or too large to count, is a 400 naming wait, never a 500")
    void waitIsBounded() {
        String id = daemon.register(release("api", "production")).getString("id");
        for (String wait : List.of("9999999999999y", "99999999999999999999s", "31m", "1h", "soon", "-1s")) {
            HttpResponse<Buffer> r = daemon.call("GET", "/api/v1/releases/" + id + "/verdict?wait=" + wait, Daemon.VIEWER, null);
            assertEquals(400, r.statusCode(), wait + ": " + r.bodyAsString());
            assertEquals("wait", r.bodyAsJsonObject().getString("field"));
            assertEquals("wait must be a duration from 0 to 30m in Prometheus notation, such as 30s or 5m",
                    r.bodyAsJsonObject().getString("error"));
        }
        assertEquals(200, daemon.call("GET", "/api/v1/releases/" + id + "/verdict?wait=0s", Daemon.VIEWER, null).statusCode());
    }

    @Test
    @DisplayName("after 10 refused tokens in a minute an address gets 429 with Retry-After, even with a good token, and a log line without the tokens")
    void refusedTokensAreThrottled() {
        try (Logs logs = new Logs()) {
            for (int i = 0; i < 10; i++) {
                assertEquals(401, daemon.call("GET", "/api/v1/releases", "guess-number-" + i, null).statusCode());
            }
            HttpResponse<Buffer> throttled = daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null);
            assertEquals(429, throttled.statusCode(), throttled.bodyAsString());
            assertEquals("60", throttled.getHeader("Retry-After"));
            assertEquals("too many refused tokens from this address: try again in 60s",
                    throttled.bodyAsJsonObject().getString("error"));
            String log = logs.text();
            assertTrue(log.contains("WARN dev.watchdog.api.Auth bearer tokens refused remote=127.0.0.1 refused=10 within=1m"), log);
            assertFalse(log.contains("guess-number") || log.contains(Daemon.VIEWER), log);
            assertEquals(200, daemon.call("GET", "/healthz", null, null).statusCode(), "what needs no token still answers");
        }
        clock.advance(Duration.ofSeconds(60));
        assertEquals(200, daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).statusCode());
    }

    @Nested
    @DisplayName("a scoped token")
    class Scopes {

        @Test
        @DisplayName("registers and ends only its services' releases in its environments: 403 naming its scope otherwise")
        void deployer() {
            String web = daemon.call("POST", "/api/v1/releases", TEAM_A, release("web-2", "production")).bodyAsJsonObject()
                    .getString("id");
            assertTrue(web.startsWith("rel_"), web);
            for (JsonObject outside : List.of(release("billing", "production"), release("web-2", "staging"))) {
                HttpResponse<Buffer> r = daemon.call("POST", "/api/v1/releases", TEAM_A, outside);
                assertEquals(403, r.statusCode(), r.bodyAsString());
                assertEquals("token team-a is limited to services api, web-*; environments production; "
                        + outside.getString("service") + " in " + outside.getString("environment") + " is outside it",
                        r.bodyAsJsonObject().getString("error"));
            }
            String billing = daemon.register(release("billing", "production")).getString("id");
            for (String end : List.of("POST /finish", "DELETE ")) {
                String[] how = end.split(" ");
                HttpResponse<Buffer> r = daemon.call(how[0], "/api/v1/releases/" + billing + (how.length > 1 ? how[1] : ""),
                        TEAM_A, null);
                assertEquals(403, r.statusCode(), end + ": " + r.bodyAsString());
            }
            assertEquals("watching", daemon.release(billing).getString("state"), "another team's release is untouched");
            assertEquals(200, daemon.call("GET", "/api/v1/releases/" + billing, TEAM_A, null).statusCode(), "reading is not scoped");
            assertEquals(200, daemon.call("POST", "/api/v1/releases/" + web + "/finish", TEAM_A, null).statusCode());
        }

        @Test
        @DisplayName("on call decides and silences only its services' releases; unscoped tokens behave as before")
        void oncall() {
            String billing = daemon.register(release("billing", "production")).getString("id");
            String api = daemon.register(release("api", "production")).getString("id");
            for (String decision : List.of("ack", "accept", "rollback")) {
                HttpResponse<Buffer> r = daemon.call("POST", "/api/v1/releases/" + billing + "/" + decision, TEAM_A_ONCALL, null);
                assertEquals(403, r.statusCode(), decision + ": " + r.bodyAsString());
                assertTrue(r.bodyAsJsonObject().getString("error").startsWith("token team-a-oncall is limited to services api;"));
                assertNotEquals(403, daemon.call("POST", "/api/v1/releases/" + api + "/" + decision, TEAM_A_ONCALL, null)
                        .statusCode(), decision);
            }
            assertEquals("watching", daemon.release(billing).getString("state"));
            assertEquals(200, daemon.call("POST", "/api/v1/releases/" + billing + "/finish", Daemon.DEPLOYER, null).statusCode());
        }
    }
}
