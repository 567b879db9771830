package dev.watchdog.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    @ParameterizedTest(name = "\"{0}\" with value {1} against baseline {2} breaches: {3}")
    @CsvSource({
        "> +10%, 1.11, 1.0, true", "> +10%, 1.10, 1.0, false", "> +10%, 1.09, 1.0, false",
        "< -20%, 79, 100, true", "< -20%, 80, 100, false", "< -20%, 81, 100, false",
        ">= +50%, 150, 100, true", "> 10%, 111, 100, true", "> 0.05, 0.06, 1000, true"})
    void relative(String threshold, double value, double baseline, boolean breached) {
        assertEquals(breached, Threshold.parse(threshold).breachedBy(value, baseline));
    }

    @Test
    @DisplayName("a relative threshold cannot be told without a baseline, nor against a baseline of zero")
    void noBaseline() {
        Threshold t = Threshold.parse("< -20%");
        assertTrue(t.relative());
        assertNull(t.breachedBy(5, null));
        assertNull(t.breachedBy(5, 0.0));
        assertNull(t.breachedBy(5, Double.NaN));
        assertEquals(Boolean.TRUE, Threshold.parse("> 1").breachedBy(5, null), "absolute ones need none");
    }

    @ParameterizedTest(name = "\"{0}\" against baseline {1} is compared with {2}")
    @CsvSource({
        "> 0.05, , 0.05", "> 0.05, 1000, 0.05", "> +10%, 200, 220", "< -20%, 100, 80", ">= 50%, -4, -6",
        "< -20%, , ", "< -20%, 0, "})
    @DisplayName("the limit a value is compared with: the number, or the baseline moved by the percentage")
    void limit(String threshold, Double baseline, Double limit) {
        Double got = Threshold.parse(threshold).limit(baseline);
        if (limit == null) {
            assertNull(got);
        } else {
            assertEquals(limit, got, 1e-9);
        }
    }

    @Test
    @DisplayName("a relative threshold has no limit against a baseline that is not a number")
    void limitNaN() {
        assertNull(Threshold.parse("> +10%").limit(Double.NaN));
    }

    @Test
    @DisplayName("a threshold reads as the rule file writes it, without the spaces around it")
    void text() {
        assertEquals("> +10%", String.valueOf(Threshold.parse("  > +10%  ")));
        assertEquals("<=0.99", Threshold.parse("<=0.99 ").text());
    }
}
