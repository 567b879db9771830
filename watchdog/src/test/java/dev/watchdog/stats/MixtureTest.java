package dev.watchdog.stats;

import static dev.watchdog.stats.Direction.FEWER;
import static dev.watchdog.stats.Direction.MORE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The mixture test's e-value against direct numerical integration (R's {@code integrate}, and
 * Simpson's rule here), its expectation under the null, and the confidence sequence against its
 * definition. R's values use these helpers (R 4.2.2, {@code options(digits = 17)}):
 *
 * <pre>
 * iE &lt;- function(k, n, p0, more = TRUE, s = 3) {
 *   m &lt;- s / min(p0, 1 - p0); a &lt;- m * p0; b &lt;- m * (1 - p0)
 *   f &lt;- function(p) exp(dbeta(p, a, b, log = TRUE) + k * log(p / p0) + (n - k) * log((1 - p) / (1 - p0)))
 *   if (more) integrate(f, p0, 1, rel.tol = 1e-12)$value / pbeta(p0, a, b, lower.tail = FALSE)
 *   else integrate(f, 0, p0, rel.tol = 1e-12)$value / pbeta(p0, a, b)
 * }
 * lE &lt;- function(k, n, p0, more = TRUE, s = 3) {   # the closed form, with R's own pbeta (TOMS 708)
 *   m &lt;- s / min(p0, 1 - p0); a &lt;- m * p0; b &lt;- m * (1 - p0); lt &lt;- !more
 *   lbeta(a + k, b + n - k) + pbeta(p0, a + k, b + n - k, lower.tail = lt, log.p = TRUE) - lbeta(a, b) -
 *     pbeta(p0, a, b, lower.tail = lt, log.p = TRUE) - k * log(p0) - (n - k) * log1p(-p0)
 * }
 * </pre>
 */
class MixtureTest {

    static final Mixture MIX = Mixture.DEFAULT;

    @Nested
    @DisplayName("the e-value")
    class EValue {

        @Test
        @DisplayName("equals R's numerical integral of the likelihood ratio over the truncated prior")
        void againstRIntegrate() {
            assertEquals(13.540508533511298, MIX.eValue(45, 600, 0.05, MORE), 1e-9); // R: iE(45, 600, 0.05)
            assertEquals(467.83969052475499, MIX.eValue(12, 600, 0.05, FEWER), 1e-8); // R: iE(12, 600, 0.05, FALSE)
            assertEquals(1133.225726324886, MIX.eValue(70, 100, 0.5, MORE), 1e-8); // R: iE(70, 100, 0.5)
            assertEquals(1133.2257263248864, MIX.eValue(30, 100, 0.5, FEWER), 1e-8); // R: iE(30, 100, 0.5, FALSE)
            assertEquals(11.629094032931919, MIX.eValue(9, 1000, 0.003, MORE), 1e-9); // R: iE(9, 1000, 0.003)
            assertEquals(1.1798438116193031, MIX.eValue(3, 10, 0.2, MORE), 1e-12); // R: iE(3, 10, 0.2)
        }

        @Test
        @DisplayName("equals R's closed form over millions of trials, where integration fails")
        void againstRClosedFormAtMillions() {
            // R: lE(180000, 3456000, 0.05)
            assertEquals(151.17561159611796, MIX.logEValue(180_000, 3_456_000, 0.05, MORE), 1e-6);
            // R: lE(36000, 3456000, 0.01)
            assertEquals(26.025752585359442, MIX.logEValue(36_000, 3_456_000, 0.01, MORE), 1e-6);
            // R: lE(170000, 3456000, 0.05, FALSE)
            assertEquals(19.061498386698077, MIX.logEValue(170_000, 3_456_000, 0.05, FEWER), 1e-6);
        }

        @Test
        @DisplayName("equals Simpson's rule on the integral, over a sweep of counts, rates, directions and priors")
        void againstSimpson() {
            for (double p0 : new double[] {0.002, 0.05, 0.3, 0.5, 0.9}) {
                for (int n : new int[] {1, 10, 200, 3000}) {
                    for (double share : new double[] {0, 0.3, 1, 2, 5}) {
                        double k = Math.min(n, Math.round(share * n * p0 + share));
                        for (Direction d : Direction.values()) {
                            for (double prior : new double[] {0.5, 3, 20}) {
                                Mixture mixture = new Mixture(prior);
                                double expected = Math.log(Integral.eValue(k, n, p0, d, mixture.strength(p0)));
                                if (Double.isInfinite(expected)) {
                                    continue; // past the range of a double: the R cases above cover such sizes
                                }
                                double actual = mixture.logEValue(k, n, p0, d);
                                assertEquals(expected, actual, 1e-7 * Math.max(1, Math.abs(expected)),
                                        "k=" + k + " n=" + n + " p0=" + p0 + " " + d + " prior " + prior);
                            }
                        }
                    }
                }
            }
        }

        @Test
        @DisplayName("averages exactly 1 under p0 and less inside the null: a fair bet at its boundary, a losing one inside")
        void expectationUnderTheNull() {
            for (double p0 : new double[] {0.01, 0.2, 0.5}) {
                for (Direction d : Direction.values()) {
                    assertEquals(1, expectation(300, p0, p0, d), 1e-9, "at p0 = " + p0 + ", " + d);
                    double inside = d == MORE ? p0 * 0.8 : p0 + (1 - p0) * 0.2;
                    assertTrue(expectation(300, p0, inside, d) < 0.999, "inside the null, " + d);
                }
            }
        }

        /** E[E_n] when the true proportion is p: the sum over k of P(k) E(k, n), each term taken in log space. */
        private double expectation(int n, double p0, double p, Direction d) {
            double sum = 0;
            for (int k = 0; k <= n; k++) {
                double logChoose = Beta.logGamma(n + 1.0) - Beta.logGamma(k + 1.0) - Beta.logGamma(n - k + 1.0);
                double logP = logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
                sum += Math.exp(logP + MIX.logEValue(k, n, p0, d));
            }
            return sum;
        }

        @Test
        @DisplayName("is 1 before any trial, grows with successes for MORE and shrinks for FEWER")
        void monotoneInCounts() {
            assertEquals(1, MIX.eValue(0, 0, 0.05, MORE), 1e-15);
            assertEquals(1, MIX.eValue(0, 0, 0.05, FEWER), 1e-15);
            double previousMore = 0;
            double previousFewer = Double.POSITIVE_INFINITY;
            for (int k = 0; k <= 100; k++) {
                double more = MIX.eValue(k, 600, 0.05, MORE);
                double fewer = MIX.eValue(k, 600, 0.05, FEWER);
                assertTrue(more > previousMore && fewer < previousFewer, "at k = " + k);
                previousMore = more;
                previousFewer = fewer;
            }
        }

        @Test
        @DisplayName("takes fractional counts, as increase() gives them, between its whole neighbours")
        void fractionalCounts() {
            double at = MIX.eValue(45.5, 600.25, 0.05, MORE);
            assertTrue(MIX.eValue(45, 600.25, 0.05, MORE) < at && at < MIX.eValue(46, 600.25, 0.05, MORE));
        }

        @Test
        @DisplayName("a per-look p-value of min(1, 1/E), and rejection once E reaches 1/alpha")
        void pValueAndRejection() {
            assertEquals(1 / 13.540508533511298, MIX.pValue(45, 600, 0.05, MORE), 1e-12);
            assertEquals(1, MIX.pValue(30, 600, 0.05, MORE));
            assertTrue(MIX.rejects(45, 600, 0.05, MORE, 0.1));
            assertFalse(MIX.rejects(45, 600, 0.05, MORE, 0.05));
        }

        @Test
        @DisplayName("refuses counts and probabilities that mean nothing")
        void refuses() {
            assertThrows(IllegalArgumentException.class, () -> MIX.eValue(5, 4, 0.5, MORE));
            assertThrows(IllegalArgumentException.class, () -> MIX.eValue(-1, 4, 0.5, MORE));
            assertThrows(IllegalArgumentException.class, () -> MIX.eValue(Double.NaN, 4, 0.5, MORE));
            assertThrows(IllegalArgumentException.class, () -> MIX.eValue(1, 4, 0, MORE));
            assertThrows(IllegalArgumentException.class, () -> MIX.eValue(1, 4, 1, MORE));
            assertThrows(IllegalArgumentException.class, () -> MIX.rejects(1, 4, 0.5, MORE, 0));
            assertThrows(IllegalArgumentException.class, () -> new Mixture(0));
        }
    }

    @Nested
    @DisplayName("the prior")
    class Prior {

        @Test
        @DisplayName("gives the rarer outcome three pseudo-trials: m = 3 / min(p0, 1 - p0)")
        void strength() {
            assertEquals(3000, MIX.strength(0.001), 1e-9);
            assertEquals(60, MIX.strength(0.05), 1e-9);
            assertEquals(6, MIX.strength(0.5), 1e-12);
            assertEquals(30, MIX.strength(0.9), 1e-9);
        }
    }

    @Nested
    @DisplayName("the confidence sequence")
    class ConfidenceSequence {

        static final double[][] CASES = {{45, 600}, {1, 1}, {0, 50}, {50, 50}, {3, 1000}, {2310, 4020}, {7, 20},
            {36_000, 3_456_000}};

        @Test
        @DisplayName("the lower bound is the least p0 the MORE test does not reject; the upper bound the greatest "
                + "the FEWER test does not")
        void boundsAreTheEdgesOfTheTests() {
            for (double[] c : CASES) {
                double k = c[0];
                double n = c[1];
                double lower = MIX.lowerBound(k, n, 0.01);
                double upper = MIX.upperBound(k, n, 0.01);
                if (lower > 0) {
                    assertFalse(MIX.rejects(k, n, lower, MORE, 0.01), "at the lower bound, k=" + k);
                    assertTrue(MIX.rejects(k, n, lower * (1 - 1e-6), MORE, 0.01), "just below it, k=" + k);
                }
                if (upper < 1) {
                    assertFalse(MIX.rejects(k, n, upper, FEWER, 0.01), "at the upper bound, k=" + k);
                    assertTrue(MIX.rejects(k, n, 1 - (1 - upper) * (1 - 1e-6), FEWER, 0.01), "just above it");
                }
            }
        }

        @Test
        @DisplayName("is the set of p0 that neither test rejects, on a grid of 2000 points: one interval")
        void isTheSetNotRejected() {
            for (double[] c : CASES) {
                double k = c[0];
                double n = c[1];
                Interval interval = MIX.interval(k, n, 0.01);
                for (int i = 1; i < 2000; i++) {
                    double p0 = i / 2000.0;
                    boolean kept = !MIX.rejects(k, n, p0, MORE, 0.005) && !MIX.rejects(k, n, p0, FEWER, 0.005);
                    assertEquals(kept, interval.contains(p0), "p0 = " + p0 + " with k=" + k + " n=" + n + " " + interval);
                }
            }
        }

        /**
         * R 4.2.2: {@code lower <- function(k, n, alpha) uniroot(function(p) lE(k, n, p) + log(alpha),
         * c(1e-9, k / n), tol = 1e-15)$root}, with lE above; Clopper-Pearson from R's {@code binom.test(k, n,
         * alternative = "greater", conf.level = 0.99)$conf.int[1]}.
         */
        @Test
        @DisplayName("the lower bound of an error ratio equals R's root of the closed form, and lies below "
                + "Clopper-Pearson's one-look bound (R's binom.test)")
        void lowerBoundOfAnErrorRatioAgainstR() {
            assertEquals(6.1804548700062471e-05, MIX.lowerBound(7, 5000, 0.01), 6.1804548700062471e-05 * 1e-8); // R: lower(7, 5000, 0.01)
            assertEquals(0.00099009680556052604, MIX.lowerBound(15, 5000, 0.01), 0.00099009680556052604 * 1e-8); // R: lower(15, 5000, 0.01)
            assertEquals(0.0037327763443726703, MIX.lowerBound(35, 5000, 0.01), 0.0037327763443726703 * 1e-8); // R: lower(35, 5000, 0.01)
            assertEquals(0.0015050209192736968, MIX.lowerBound(30, 10_000, 0.01), 0.0015050209192736968 * 1e-8); // R: lower(30, 10000, 0.01)
            assertEquals(0.0004327820528230144, MIX.lowerBound(14, 10_000, 0.01), 0.0004327820528230144 * 1e-8); // R: lower(14, 10000, 0.01)
            // binom.test: 0.0004662136365082904, 0.0014963222861405993, 0.0045493102969115413 (k = 7, 15, 35 of
            // 5000), 0.001875204908174962 (30 of 10000), 0.00067844645877293596 (14 of 10000)
            double[][] clopperPearson = {{7, 5000, 0.0004662136365082904}, {15, 5000, 0.0014963222861405993},
                {35, 5000, 0.0045493102969115413}, {30, 10_000, 0.001875204908174962},
                {14, 10_000, 0.00067844645877293596}};
            for (double[] c : clopperPearson) {
                assertTrue(MIX.lowerBound(c[0], c[1], 0.01) < c[2], "valid at every look, so wider than one look's");
            }
        }

        @Test
        @DisplayName("the two-sided sequence holds R's binom.test interval for Mendel's 682 of 925 peas")
        void holdsTheOneLookInterval() {
            Interval cs = MIX.interval(682, 925, 0.05);
            // R: binom.test(682, 925)$conf.int, the example of R's help page: [0.70766826407903904, 0.76540655824152526]
            assertTrue(cs.lower() < 0.70766826407903904 && cs.upper() > 0.76540655824152526, cs.toString());
            assertEquals(0.68806701038206564, cs.lower(), 1e-9); // R: lower(682, 925, 0.025)
        }

        @Test
        @DisplayName("0 and 1 when the counts cannot tell: no trials, one trial, none of the successes")
        void emptyAndExtreme() {
            assertEquals(new Interval(0, 1), MIX.interval(0, 0, 0.01));
            assertEquals(new Interval(0, 1), MIX.interval(1, 1, 0.01));
            assertEquals(0, MIX.lowerBound(0, 50, 0.01));
            assertEquals(1, MIX.upperBound(50, 50, 0.01));
        }

        @Test
        @DisplayName("the critical count is where the test starts to reject, NaN when none can")
        void critical() {
            double more = MIX.critical(600, 0.05, MORE, 0.01);
            assertTrue(MIX.rejects(more, 600, 0.05, MORE, 0.01));
            assertFalse(MIX.rejects(more - 1e-6, 600, 0.05, MORE, 0.01));
            double fewer = MIX.critical(600, 0.05, FEWER, 0.01);
            assertTrue(MIX.rejects(fewer, 600, 0.05, FEWER, 0.01));
            assertFalse(MIX.rejects(fewer + 1e-6, 600, 0.05, FEWER, 0.01));
            assertTrue(Double.isNaN(MIX.critical(3, 0.05, MORE, 0.01)), "3 trials cannot show a rise at 0.01");
        }
    }
}
