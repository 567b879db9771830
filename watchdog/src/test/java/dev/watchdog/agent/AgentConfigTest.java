package dev.watchdog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigException;
import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    static final Path EXAMPLE = Path.of("..", "docs", "examples", "agent.yml");
    static final Map<String, String> ENV = Map.of("ROLLBACK_SECRET", "whsec_c2VjcmV0LXJvbGxiYWNr",
            "GITHUB_TOKEN", "ghp_example-github-token", "GH_TOKEN", "gho_example-gh-token");

    final ConfigLoader loader = new ConfigLoader(ENV::get);

    AgentConfig parse(String yaml) {
        return loader.parse(yaml, "agent.yml", AgentConfig.class);
    }

    @Test
    @DisplayName("the documented example loads: five kinds of rollback, defaults filled, secrets resolved")
    void exampleLoads() {
        AgentConfig c = loader.load(EXAMPLE, AgentConfig.class);
        assertEquals(9095, c.port());
        assertEquals(Duration.ofMinutes(5), c.maxAge());
        assertEquals(4, c.actions().size());
        assertEquals(4, c.actions().get(1).steps().size());
        assertEquals("Bearer ghp_example-github-token",
                c.actions().get(3).steps().get(0).http().headers().get("Authorization").value());
        assertEquals(Duration.ofSeconds(30), c.actions().get(3).steps().get(0).timeout());
    }

    @Test
    @DisplayName("printed, the config shows no secret: not the signing secret, not a token in a header or env")
    void secretsMasked() {
        AgentConfig c = loader.load(EXAMPLE, AgentConfig.class);
        for (String shown : new String[] {loader.print(c), c.toString()}) {
            ENV.values().forEach(secret -> assertFalse(shown.contains(secret), shown));
            assertTrue(shown.contains(Secret.MASK), shown);
        }
    }

    @Test
    @DisplayName("a placeholder the agent does not fill is refused at load, naming it and where it stands")
    void unknownPlaceholder() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                secret: s
                actions:
                  - name: a
                    steps:
                      - name: undo
                        command: [kubectl, rollout, undo, "deployment/{{servise}}"]
                """));
        assertTrue(e.getMessage().contains("{{servise}}"), e.getMessage());
        assertTrue(e.getMessage().startsWith("agent.yml:7: actions[0].steps[0]: step undo:"), e.getMessage());
    }

    @Test
    @DisplayName("bad configs are refused with the key at fault: unknown key, no secret, two kinds in one step, a bad regex")
    void refused() {
        Map<String, String> cases = Map.of(
                "secret: s\nactions: [{name: a, steps: [{name: s, command: [x], shell: true}]}]\n", "unknown key 'actions[0].steps[0].shell'",
                "actions: [{name: a, steps: [{name: s, command: [x]}]}]\n", "secret is required",
                "secret: s\nactions: [{name: a, steps: [{name: s, command: [x], http: {url: \"http://h/\"}}]}]\n",
                "exactly one of command, http",
                "secret: s\nactions: [{name: a, match: {service: \"api(\"}, steps: [{name: s, command: [x]}]}]\n",
                "match.service",
                "secret: s\nactions: [{name: a, steps: [{name: s, command: [x]}, {name: s, command: [y]}]}]\n",
                "step names of action a must be unique",
                "secret: s\nactions: []\n", "at least one action");
        cases.forEach((yaml, expected) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml), yaml);
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        });
    }
}
