package dev.watchdog.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Log-gamma, log-beta and the incomplete beta integrals against R 4.2.2 (its pbeta is TOMS 708,
 * an implementation independent of ours), printed with {@code options(digits = 17)}. Each value
 * carries the R line that produced it.
 */
class BetaTest {

    @Test
    @DisplayName("ln Γ as R's lgamma, below 0.5 too")
    void logGamma() {
        assertEquals(2.252712651734206, Beta.logGamma(0.1), 1e-13); // R: lgamma(0.1)
        assertEquals(1.4280723266653881, Beta.logGamma(3.7), 1e-13); // R: lgamma(3.7)
        assertEquals(12815504.569147611, Beta.logGamma(1e6), 1e-6); // R: lgamma(1e6)
    }

    @Test
    @DisplayName("ln B as R's lbeta, with every digit kept when one argument is huge")
    void logBeta() {
        assertEquals(0.52715668380592784, Beta.logBeta(0.3, 7), 1e-13); // R: lbeta(0.3, 7)
        assertEquals(-4.8253993383142486, Beta.logBeta(2.5, 7), 1e-13); // R: lbeta(2.5, 7)
        assertEquals(-85.495753033231026, Beta.logBeta(3, 3e12), 1e-11); // R: lbeta(3, 3e12)
        assertEquals(-198519.7086481633, Beta.logBeta(50000, 950000), 1e-8); // R: lbeta(50000, 950000)
    }

    @Test
    @DisplayName("the regularized incomplete beta as R's pbeta")
    void regularized() {
        assertEquals(0.64122246297172114, Beta.regularized(0.3, 2.5, 7), 1e-13); // R: pbeta(0.3, 2.5, 7)
    }

    @Test
    @DisplayName("the incomplete beta integrals in log space as R's lbeta plus pbeta(log.p = TRUE), "
            + "from small parameters to millions")
    void logIntegrals() {
        // R: lbeta(2.5, 7) + pbeta(0.3, 2.5, 7, log.p = TRUE)
        assertEquals(-5.2697781644676303, Beta.logLower(0.3, 0.7, 2.5, 7), 1e-12);
        // R: lbeta(2.5, 7) + pbeta(0.3, 2.5, 7, lower.tail = FALSE, log.p = TRUE)
        assertEquals(-5.8504520949013408, Beta.logUpper(0.3, 0.7, 2.5, 7), 1e-12);
        // R: lbeta(180003, 3276057) + pbeta(0.05, 180003, 3276057, log.p = TRUE)
        assertEquals(-707289.43754588917, Beta.logLower(0.05, 0.95, 180003, 3276057), 1e-6);
        // R: lbeta(180003, 3276057) + pbeta(0.05, 180003, 3276057, lower.tail = FALSE, log.p = TRUE)
        assertEquals(-707129.80039241409, Beta.logUpper(0.05, 0.95, 180003, 3276057), 1e-6);
        // R: lbeta(3, 29997) + pbeta(1e-4, 3, 29997, log.p = TRUE)
        assertEquals(-30.783772712243547, Beta.logLower(1e-4, 1 - 1e-4, 3, 29997), 1e-11);
        // R: lbeta(5, 0.2) + pbeta(0.999, 5, 0.2, lower.tail = FALSE, log.p = TRUE)
        assertEquals(0.22722051321812542, Beta.logUpper(0.999, 0.001, 5, 0.2), 1e-11);
    }

    @Test
    @DisplayName("the integrals at the ends: nothing below 0, the whole of B(a, b) up to 1")
    void ends() {
        assertEquals(Double.NEGATIVE_INFINITY, Beta.logLower(0, 1, 2, 3));
        assertEquals(Beta.logBeta(2, 3), Beta.logLower(1, 0, 2, 3), 1e-15);
        assertEquals(Beta.logBeta(2, 3), Beta.logUpper(0, 1, 2, 3), 1e-15);
    }
}
