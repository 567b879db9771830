package dev.watchdog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    final DurationConverter converter = new DurationConverter();

    @Test
    @DisplayName("Prometheus notation is taken as it is: 500ms, 45m, 1h30m, 2d, 0")
    void prometheusNotation() {
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofMinutes(45), converter.convert("45m"));
        assertEquals(Duration.ofMinutes(90), converter.convert("1h30m"));
        assertEquals(Duration.ofDays(2), converter.convert("2d"));
        assertEquals(Duration.ZERO, converter.convert("0"));
    }

    @Test
    @DisplayName("a unit spelled out is refused with the way to write it: '45min' -> did you mean 45m?")
    void spelledOut() {
        assertEquals("'45min' is not a duration; did you mean 45m? (Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d)",
                message("45min"));
        assertEquals("'2 hours' is not a duration; did you mean 2h? (Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d)",
                message("2 hours"));
        assertEquals("'30S' is not a duration; did you mean 30s? (Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d)",
                message("30S"));
    }

    @Test
    @DisplayName("anything else is refused with the examples alone; an overflowing one says it is too long")
    void otherMistakes() {
        assertEquals("'1.5h' is not a duration (Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d)", message("1.5h"));
        assertEquals("'' is not a duration (Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d)", message(""));
        assertEquals("'-5m' is not a duration (Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d)", message("-5m"));
        assertEquals("'99999999999y' is too long a duration", message("99999999999y"));
    }

    private String message(String value) {
        return assertThrows(TypeConversionException.class, () -> converter.convert(value)).getMessage();
    }
}
