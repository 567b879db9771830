package dev.watchdog.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ThresholdTest {

    @ParameterizedTest(name = "\"{0}\" against {1} breaches: {2}")
    @CsvSource({
        "> 0.05, 0.06, true", "> 0.05, 0.05, false", ">= 0.05, 0.05, true",
        "< 0.99, 0.98, true", "<= 0.99, 0.99, true", "<0.99, 1, false",
        "== 0, 0, true", "!= 1, 1, false", "> 2e3, 2001, true", ">  -1, 0, true"})
    void compares(String threshold, double value, boolean breached) {
        assertEquals(breached, Threshold.parse(threshold).breachedBy(value));
    }

    @Test
    @DisplayName("NaN never breaches an ordering threshold")
    void nan() {
        assertFalse(Threshold.parse("> 0").breachedBy(Double.NaN));
        assertTrue(Threshold.parse("> 1").breachedBy(Double.POSITIVE_INFINITY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.05", "> ", "=> 1", "> abc", "> 1 2", "", "> NaN", "> Infinity"})
    @DisplayName("malformed thresholds are refused with the expected form")
    void malformed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Threshold.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    @DisplayName("a relative threshold says baselines are not supported yet")
    void relative() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Threshold.parse("> +10%"))
                .getMessage().contains("baseline"));
    }
}
