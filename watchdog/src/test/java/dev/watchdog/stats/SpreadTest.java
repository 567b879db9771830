package dev.watchdog.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The between-day variance net of chance, and the dispersion that adds it to a test's variance. */
class SpreadTest {

    @Test
    @DisplayName("τ² is the variance of the days' logs less their mean sampling variance, never below 0")
    void between() {
        double[] logs = {0, 0.02, -0.02};
        assertEquals(0.0004, Spread.between(logs, new double[] {0, 0, 0}), 1e-15);
        assertEquals(0.0003, Spread.between(logs, new double[] {0.0001, 0.0001, 0.0001}), 1e-15);
        assertEquals(0, Spread.between(logs, new double[] {0.001, 0.001, 0.001}));
        assertEquals(0, Spread.between(new double[] {0.3}, new double[] {0}), "one day shows no spread");
    }

    @Test
    @DisplayName("the widened dispersion gives the test's variance weight τ² more; nothing to add keeps it")
    void widened() {
        // variance 0.0016 at dispersion 2 becomes 0.0016 + 4 * 0.0004 = 0.0032: the dispersion doubles
        assertEquals(4, Spread.widened(2, 4 * 0.0004, 0.0016), 1e-12);
        assertEquals(2, Spread.widened(2, 0, 0.0016));
        assertEquals(2, Spread.widened(2, 0.0004, Double.POSITIVE_INFINITY));
    }
}
