package dev.watchdog.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"500ms, 500", "15s, 15000", "5m, 300000", "1h30m, 5400000", "1d, 86400000", "1w, 604800000", "0, 0"})
    void parses(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
        assertEquals(Duration.ofMillis(millis), Durations.parse(Durations.format(Duration.ofMillis(millis))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "1.5h", "PT5M", "5 m", "m5", "30m1h"})
    void refuses(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    }
}
