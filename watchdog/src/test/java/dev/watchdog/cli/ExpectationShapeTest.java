package dev.watchdog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.watchdog.cli.RuleTestCommand.Expectation;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What {@code watchdog test} says of an expectation written in a shape it cannot check. */
class ExpectationShapeTest {

    private static final Duration FIVE = Duration.ofMinutes(5);

    private static Expectation reach(Duration by, String crossing, Duration within) {
        return new Expectation(null, null, null, null, null, null, "p1", null, null, by, crossing, within);
    }

    @Test
    @DisplayName("a reach with a crossing but no within is refused with the shape it needs, not checked half-way")
    void crossingWithoutWithin() {
        assertEquals("reach needs either by, or crossing and within", reach(FIVE, "up == 0", null).shapeProblem());
        assertEquals("reach needs either by, or crossing and within", reach(null, "up == 0", null).shapeProblem());
    }

    @Test
    @DisplayName("a reach by a time, or within a span of a crossing, is a shape it checks")
    void shapesItChecks() {
        assertNull(reach(FIVE, null, null).shapeProblem());
        assertNull(reach(null, "up == 0", FIVE).shapeProblem());
    }
}
