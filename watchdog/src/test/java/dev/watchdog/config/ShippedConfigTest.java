package dev.watchdog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.incident.Policy;
import dev.watchdog.receiver.Grafana;
import dev.watchdog.testing.ExampleEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShippedConfigTest {

    static final Path SHIPPED = Path.of("config/watchdog.yml");
    static final Path OPERATIONS = Path.of("..", "docs", "operations.md");

    @Test
    @DisplayName("the shipped config loads, and its default policy is the release criteria's ladder")
    void releaseCriteriaLadder() {
        WatchdogConfig config = new ConfigLoader(ExampleEnv::value).load(SHIPPED);
        Policy policy = config.escalation().get("default");
        assertEquals(List.of(Duration.ZERO, Duration.ofMinutes(15), Duration.ofMinutes(30)),
                policy.levels().stream().map(Policy.Level::after).toList());
        assertEquals(List.of("release-manager", "devops", "pager", "dashboards"), policy.levels().get(0).receivers());
        assertEquals(List.of("cto", "vp-engineering"), policy.levels().get(1).receivers());
        assertEquals(List.of("ceo"), policy.levels().get(2).receivers());
        assertEquals(Policy.DEFAULT_CHECKPOINTS, policy.checkpoints());
    }

    @Test
    @DisplayName("a release's deploy marker and its incidents reach Grafana: a grafana receiver is announced to and in the first level")
    void grafanaHearsLifecycleAndIncidents() {
        WatchdogConfig config = new ConfigLoader(ExampleEnv::value).load(SHIPPED);
        Policy policy = config.escalation().get("default");
        Receiver dashboards = config.receivers().get("dashboards");
        assertTrue(dashboards.channel() instanceof Grafana, "dashboards is a grafana receiver");
        assertEquals("set-by-GRAFANA_TOKEN", ((Grafana) dashboards.channel()).token().value());
        assertEquals(List.of("release-manager", "dashboards"), policy.announce());
        assertTrue(policy.levels().get(0).receivers().contains("dashboards"));
    }

    @Test
    @DisplayName("the shipped config loads with exactly the variables docs/operations.md tells to write, and not without one")
    void documentedVariablesSuffice() throws IOException {
        Set<String> documented = documentedVariables();
        assertTrue(documented.contains("GRAFANA_TOKEN"), documented.toString());
        new ConfigLoader(name -> documented.contains(name) ? ExampleEnv.value(name) : null).load(SHIPPED);
        for (String left : documented) {
            ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(
                    name -> documented.contains(name) && !name.equals(left) ? ExampleEnv.value(name) : null).load(SHIPPED),
                    left + " is documented but the config loads without it");
            assertTrue(e.getMessage().contains("environment variable " + left + " is not set"), e.getMessage());
        }
    }

    @Test
    @DisplayName("watchdog.env.example lists every variable the shipped config reads, commented out only where its receiver is")
    void envExampleListsEveryVariable() throws IOException {
        Set<String> read = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{env:([A-Z0-9_]+)}").matcher(Files.readString(SHIPPED));
        while (m.find()) {
            read.add(m.group(1));
        }
        Set<String> listed = new TreeSet<>();
        Matcher a = Pattern.compile("(?m)^#? ?([A-Z][A-Z0-9_]*)=").matcher(Files.readString(SHIPPED.resolveSibling(
                "watchdog.env.example")));
        while (a.find()) {
            listed.add(a.group(1));
        }
        assertEquals(read, listed);
    }

    /** The names in the comment under {@code /etc/watchdog/watchdog.env} in docs/operations.md's Install. */
    private static Set<String> documentedVariables() throws IOException {
        List<String> lines = Files.readAllLines(OPERATIONS);
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("install -m 0600 /dev/null /etc/watchdog/watchdog.env"))
                .findFirst().orElseThrow());
        Set<String> names = new TreeSet<>();
        Pattern assignment = Pattern.compile("([A-Z][A-Z0-9_]*)=");
        for (String line : lines.subList(at + 1, lines.size())) {
            if (!line.startsWith("#")) {
                break;
            }
            Matcher m = assignment.matcher(line);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
