package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealAgent;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The watchdog and its agent, both from the built jar: a real Prometheus sees the demo service fail,
 * the daemon rolls back through its signed webhook, and the agent runs real commands. When the
 * agent's step fails, the watchdog retries with the same key, gives up, and every level of the
 * ladder is paged with rollback_failed at once (the second level long before its time).
 */
class AgentRollbackIT {

    static final Path DIR = Path.of("target", "it", "agent-rollback").toAbsolutePath();
    /** Judges every series Prometheus has: the demo service stands for whichever service is registered. */
    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: sum(rate(http_requests_total{status=~"5.."}[5s])) / sum(rate(http_requests_total[5s]))
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                    for: 2s
            """;
    /**
     * Retries kept short for the test. When the retry budget becomes {@code retry: {for: ...}} on the
     * rollback target, this is the line to change; what is asserted stays the same.
     */
    static final String RETRY = ", retry: {attempts: 3, initial: 200ms, max: 500ms}";

    static RealStack stack;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
    }

    @AfterAll
    static void stop() {
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

    static JsonObject release(String service) {
        return new JsonObject().put("service", service).put("version", "1.4.0").put("previousVersion", "1.3.2")
                .put("environment", "production").put("window", "1h");
    }

    @Test
    @DisplayName("a P0 seen by Prometheus: the watchdog calls the agent, nginx's upstream goes back to blue, the release reads rolled_back")
    void rollsBackThroughTheAgent() {
        AgentExamples examples = new AgentExamples(DIR.resolve("examples"));
        RealAgent agent = examples.start(stack.recorder.url("/github"));
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon-ok"), stack.prometheus.url(), agent.url(),
                AgentExamples.SECRET, RETRY, "1s", RULES, "");
        try {
            String id = daemon.register(release("web"));
            Poll.until(Duration.ofSeconds(30), "error-rate judged ok",
                    () -> daemon.get("/api/v1/releases/" + id).contains("\"outcome\":\"ok\""));
            stack.service.errorRatio(0.2);
            Poll.until(Duration.ofSeconds(60), "the release to read rolled_back",
                    () -> "rolled_back".equals(daemon.release(id).getString("state")));
            assertEquals("web-blue.conf", examples.liveUpstream());
            assertEquals(List.of("nginx -t", "nginx -s reload"), examples.calls(id + ":rollback"));
            assertEquals(1, daemon.release(id).getJsonObject("rollback").getInteger("attempts"));
        } finally {
            daemon.stop();
            agent.stop();
        }
    }

    @Test
    @DisplayName("the agent's step fails: 502 each time, the watchdog retries with one key, the release ends rollback_failed and every level is paged")
    void failingActionPages() throws IOException {
        Path dir = Files.createDirectories(DIR.resolve("failing"));
        Path runs = dir.resolve("runs.log");
        Path script = Files.writeString(dir.resolve("switch-traffic.sh"), """
                #!/bin/sh
                echo "$WATCHDOG_IDEMPOTENCY_KEY $*" >> %s
                echo "load balancer refused the switch" >&2
                exit 3
                """.formatted(runs));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = RealProcess.freePort();
        Path config = Files.writeString(dir.resolve("agent.yml"), """
                listen: 127.0.0.1:%d
                secret: ${env:ROLLBACK_SECRET}
                journal: journal.db
                actions:
                  - name: pay
                    match: {service: pay}
                    steps:
                      - name: switch-traffic
                        command: [%s, "{{service}}", "{{previous_version}}"]
                """.formatted(port, script));
        RealAgent agent = RealAgent.start(config, Map.of("ROLLBACK_SECRET", AgentExamples.SECRET), port);
        WebhookRecorder people = stack.recorder;
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon-failing"), stack.prometheus.url(), agent.url(),
                AgentExamples.SECRET, RETRY, "1s", RULES, """
                receivers:
                  oncall: {webhook: {url: "%s"}, minInterval: 0s}
                  cto: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [oncall]}, {after: 1h, notify: [cto]}]
                """.formatted(people.url("/oncall"), people.url("/cto")));
        try {
            String id = daemon.register(release("pay"));
            Poll.until(Duration.ofSeconds(30), "error-rate judged ok",
                    () -> daemon.get("/api/v1/releases/" + id).contains("\"outcome\":\"ok\""));
            stack.service.errorRatio(0.2);
            Poll.until(Duration.ofSeconds(60), "the release to read rollback_failed",
                    () -> "rollback_failed".equals(daemon.release(id).getString("state")));
            JsonObject release = daemon.release(id);
            assertEquals("failed", release.getString("verdict"));
            assertEquals("HTTP 502", release.getJsonObject("rollback").getString("lastError"));

            List<String> attempts = Files.readAllLines(runs);
            assertTrue(attempts.size() >= 2, "retried: " + attempts);
            assertEquals(List.of(id + ":rollback pay 1.3.2"), attempts.stream().distinct().toList(), "one key throughout");
            for (String level : List.of("/oncall", "/cto")) {
                Poll.until(Duration.ofSeconds(10), level + " paged with rollback_failed", () -> people.calls(level).stream()
                        .map(c -> new JsonObject(c.body()))
                        .anyMatch(b -> id.equals(b.getString("release")) && "rollback_failed".equals(b.getString("kind"))));
            }

            RealProcess journal = agent.tool("journal");
            assertEquals(0, journal.exitCode(30), journal.log());
            assertTrue(journal.log().contains(id + ":rollback  failed") && journal.log().contains("attempts " + attempts.size())
                    && journal.log().contains("switch-traffic") && journal.log().contains("exit 3"), journal.log());
            assertTrue(agent.log().contains("step failed key=" + id + ":rollback step=switch-traffic error=\"step"
                    + " 'switch-traffic' exited 3\" output=\nload balancer refused the switch"), agent.log());
        } finally {
            daemon.stop();
            agent.stop();
        }
    }
}
