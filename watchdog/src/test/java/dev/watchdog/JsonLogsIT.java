package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchdog.core.Json;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code logging: {format: json}} on the built jar: every line the process writes is one JSON object,
 * through failures (a rollback webhook answering 500, one on a closed port, Slack refused, Telegram
 * answering 500) and at DEBUG, where the config is printed; and none of the secrets appears.
 */
class JsonLogsIT {

    static final Path DIR = Path.of("target", "it", "json-logs").toAbsolutePath();
    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p0: "> 0.05"
            """;
    static final Map<String, String> SECRETS = new LinkedHashMap<>();

    static Vertx vertx;
    static FakePrometheus prometheus;
    static WebhookRecorder failing;
    static String closed;

    @BeforeAll
    static void start() {
        RealStack.deleteRecursively(DIR);
        vertx = Vertx.vertx();
        prometheus = new FakePrometheus(vertx).start();
        prometheus.otherwise(q -> FakePrometheus.value("0.2"));
        failing = new WebhookRecorder(vertx).otherwise(WebhookRecorder.Reply.status(500)).start();
        closed = "http://127.0.0.1:" + RealProcess.freePort();
        SECRETS.put("deployer bearer token", RealDaemon.TOKEN);
        SECRETS.put("rollback URL token", "rbtoken-5f0c2a");
        SECRETS.put("rollback signing secret", "rbsign-77e1d3");
        SECRETS.put("Slack URL path", "T000/B000/slackpath-9a8b7c");
        SECRETS.put("Telegram bot token", "123456:tgtoken-AAE4x");
        SECRETS.put("oncall bearer token", "oncall-tok-json-31");
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.close().await();
        }
    }

    static String config(int port) {
        return """
                prometheus: {url: "%s", timeout: 1s}
                evaluation: {interval: 300ms}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens:
                    - {name: ci, role: deployer, token: "${env:DEPLOYER_TOKEN}"}
                    - {name: alice, role: oncall, token: "%s"}
                receivers:
                  slack: {slack: {url: "%s/services/%s"}, minInterval: 0s, retry: {attempts: 2, initial: 100ms, max: 200ms}}
                  telegram: {telegram: {token: "${env:TG_TOKEN}", chatId: "-100", apiUrl: "%s"}, minInterval: 0s,
                             retry: {attempts: 2, initial: 100ms, max: 200ms}}
                escalation:
                  default: {levels: [{after: 0s, notify: [slack, telegram]}], preexisting: rollback}
                rollback:
                  answers-500:
                    webhook: {url: "%s/rollback?token=%s", secret: "${env:ROLLBACK_SECRET}", timeout: 1s,
                              retry: {for: 2s, initial: 200ms, max: 500ms}}
                    verify: 0s
                  refused:
                    webhook: {url: "%s/rollback?token=%s", secret: "${env:ROLLBACK_SECRET}", timeout: 1s,
                              retry: {for: 2s, initial: 200ms, max: 500ms}}
                    verify: 0s
                logging: {format: json}
                """.formatted(prometheus.url(), port, SECRETS.get("oncall bearer token"), closed,
                SECRETS.get("Slack URL path"), failing.url(""), failing.url(""), SECRETS.get("rollback URL token"), closed,
                SECRETS.get("rollback URL token"));
    }

    @Test
    @DisplayName("every line is a JSON object with time, level, logger and message, through failures and at DEBUG; no secret")
    void jsonThroughFailures() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("DEPLOYER_TOKEN", RealDaemon.TOKEN, "TG_TOKEN",
                SECRETS.get("Telegram bot token"), "ROLLBACK_SECRET", SECRETS.get("rollback signing secret"),
                "WATCHDOG_LOG_LEVEL", "DEBUG"));
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon"), JsonLogsIT::config, RULES, env);
        try {
            List<String> ids = new ArrayList<>();
            for (String target : List.of("answers-500", "refused")) {
                ids.add(daemon.register(new JsonObject().put("service", "api").put("version", "1.0.0")
                        .put("environment", target).put("window", "1h").put("rollback", target)));
            }
            for (String id : ids) {
                Poll.until(Duration.ofSeconds(30), id + " to fail its rollback",
                        () -> "rollback_failed".equals(daemon.release(id).getString("state")));
            }
            for (String id : ids) {
                Poll.until(Duration.ofSeconds(30), "Slack and Telegram to have failed for " + id, () -> {
                    JsonArray sent = new JsonArray(daemon.call("GET", "/api/v1/releases/" + id + "/notifications",
                            RealDaemon.TOKEN, null).body());
                    return sent.size() >= 2 && sent.stream().map(JsonObject.class::cast)
                            .noneMatch(n -> "pending".equals(n.getString("status")));
                });
            }
            assertTrue(failing.calls.stream().anyMatch(c -> c.path().contains("sendMessage")), "Telegram was called");
        } finally {
            assertEquals(0, daemon.terminate(), "SIGTERM is an orderly stop");
        }
        List<JsonNode> lines = parse(daemon.log());
        assertTrue(lines.size() > 10, daemon.log());
        assertTrue(lines.stream().anyMatch(l -> l.path("level").asText().equals("DEBUG")
                && l.path("formattedMessage").asText().contains("<secret>")), "the config, masked, at DEBUG");
        assertTrue(lines.stream().anyMatch(l -> l.path("level").asText().equals("WARN")
                && l.path("formattedMessage").asText().contains("attempt failed")), "the failures were driven");
        assertTrue(lines.stream().anyMatch(l -> l.path("formattedMessage").asText().equals("watchdog stopped")));
        List<String> leaks = new ArrayList<>();
        SECRETS.forEach((what, value) -> {
            if (daemon.log().contains(value)) {
                leaks.add(what);
            }
        });
        assertEquals(List.of(), leaks, "secrets in the JSON log");
    }

    /** Each line as a JSON object with the fields every line has; any other line fails the test. */
    static List<JsonNode> parse(String log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            JsonNode node = Json.MAPPER.readTree(line);
            assertTrue(node != null && node.isObject(), "not a JSON object: " + line);
            for (String field : List.of("timestamp", "level", "threadName", "loggerName", "formattedMessage")) {
                assertTrue(node.has(field), field + " in " + line);
            }
            lines.add(node);
        }
        assertTrue(!lines.isEmpty(), log);
        return lines;
    }

    @Test
    @DisplayName("WATCHDOG_LOG_FORMAT=json turns a text config's log into JSON; an unknown format is a usage error, 64")
    void fromTheEnvironment() throws Exception {
        Map<String, String> env = Map.of("DEPLOYER_TOKEN", RealDaemon.TOKEN, "TG_TOKEN", "1:x", "ROLLBACK_SECRET", "s",
                "WATCHDOG_LOG_FORMAT", "json");
        RealDaemon daemon = RealDaemon.start(DIR.resolve("env"), port -> config(port).replace("logging: {format: json}\n", ""),
                RULES, env);
        assertEquals(0, daemon.terminate());
        assertTrue(parse(daemon.log()).stream().anyMatch(l -> l.path("formattedMessage").asText().startsWith("watchdog ready")));

        RealProcess wrong = RealProcess.watchdog(List.of("--version"), Map.of("WATCHDOG_LOG_FORMAT", "xml"),
                DIR.resolve("wrong-format.log"));
        assertEquals(64, wrong.exitCode(30), wrong.log());
        assertEquals("watchdog: WATCHDOG_LOG_FORMAT must be text or json, not 'xml'\n", wrong.log());
    }
}
