package dev.watchdog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShippedConfigTest {

    @Test
    @DisplayName("the shipped config loads, and its default policy is the release criteria's ladder")
    void releaseCriteriaLadder() {
        WatchdogConfig config = new ConfigLoader(name -> "set-by-" + name).load(Path.of("config/watchdog.yml"));
        Policy policy = config.escalation().get("default");
        assertEquals(List.of(Duration.ZERO, Duration.ofMinutes(15), Duration.ofMinutes(30)),
                policy.levels().stream().map(Policy.Level::after).toList());
        assertEquals(List.of("release-manager", "devops", "pager"), policy.levels().get(0).receivers());
        assertEquals(List.of("cto", "vp-engineering"), policy.levels().get(1).receivers());
        assertEquals(List.of("ceo"), policy.levels().get(2).receivers());
        assertEquals(Policy.DEFAULT_CHECKPOINTS, policy.checkpoints());
    }
}
