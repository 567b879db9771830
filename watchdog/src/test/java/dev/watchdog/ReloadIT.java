package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SIGHUP to the built jar reloads the whole config; a broken one is refused and the one in force stays. */
class ReloadIT {

    static final Path DIR = Path.of("target", "it", "reload");
    static final String RULES = """
            groups:
              - name: g
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p1: "> 0.01"
            """;

    @Test
    @DisplayName("SIGHUP: a new rule is judged at once; a rule file with a mistake is refused, counted, and the rules stay")
    void sighup() throws Exception {
        RealDaemon daemon = RealDaemon.start(DIR, "http://127.0.0.1:9", "http://127.0.0.1:9/rollback", null, "1s", RULES);
        try {
            String id = daemon.register(new JsonObject().put("service", "api").put("version", "1").put("environment", "p"));
            Files.writeString(DIR.resolve("rules/rules.yml"), RULES + """
                          - name: latency
                            signal: latency
                            expr: latency{service="{{service}}"}
                            p1: "> 1"
                    """);
            new ProcessBuilder("kill", "-HUP", String.valueOf(daemon.pid())).start().waitFor();
            Poll.until(Duration.ofSeconds(20), "the new rule to be in force",
                    () -> daemon.release(id).getJsonArray("rules").size() == 2);
            assertEquals(1.0, daemon.metric("watchdog_config_last_reload_successful"));

            Files.writeString(DIR.resolve("rules/rules.yml"), "groups: [{name: g, rules: [{name: broken}]}]\n");
            new ProcessBuilder("kill", "-HUP", String.valueOf(daemon.pid())).start().waitFor();
            Poll.until(Duration.ofSeconds(20), "the reload to be refused",
                    () -> daemon.metric("watchdog_config_last_reload_successful") == 0.0);
            assertEquals(2, daemon.release(id).getJsonArray("rules").size(), "the rules in force stay");
        } finally {
            daemon.stop();
        }
    }
}
