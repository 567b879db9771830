package dev.watchdog.stats;

import static dev.watchdog.stats.Significance.Alternative.GREATER;
import static dev.watchdog.stats.Significance.Alternative.LESS;
import static dev.watchdog.stats.Significance.Alternative.TWO_SIDED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The test statistic against published values. R's values are those printed by the examples of its
 * own help pages ({@code ?binom.test}, {@code ?poisson.test}, package stats, R 4.x), which show four
 * digits. The others are from SciPy's {@code scipy.stats.binomtest} (1.17.1), which implements R's
 * method, and exact fractions worked by hand.
 */
class SignificanceTest {

    @Test
    @DisplayName("R's binom.test example (Conover 1971: 682 giant of 925 plants against 3/4): p = 0.3825")
    void binomTestExample() {
        assertEquals(0.3825, Significance.binomial(682, 925, 0.75, TWO_SIDED), 5e-5);
    }

    @Test
    @DisplayName("R's poisson.test example (lung cancer, Fredericia against three other cities, 11 in 800 "
            + "person-years against 21 in 3011): p = 0.07967")
    void poissonTestExample() {
        assertEquals(0.07967, Significance.poisson(11, 6 + 8 + 7, 800, 1083 + 1050 + 878, TWO_SIDED), 5e-6);
    }

    @Test
    @DisplayName("one-sided tails, exact: 0 of 7 at 1/2 is 1/128; 9 or more of 10 is 11/1024")
    void exactTails() {
        assertEquals(1.0 / 128, Significance.binomial(0, 7, 0.5, LESS), 1e-15);
        assertEquals(11.0 / 1024, Significance.binomial(9, 10, 0.5, GREATER), 1e-15);
        assertEquals(1.0, Significance.binomial(3, 10, 0.3, TWO_SIDED), 1e-15, "the expected count itself");
    }

    @Test
    @DisplayName("as SciPy's binomtest, from tens of counts to millions")
    void scipyValues() {
        assertEquals(0.12566105173742717, Significance.binomial(40, 92, 0.5, LESS), 1e-12);
        assertEquals(0.04431304005703379, Significance.binomial(41, 100, 0.5, LESS), 1e-12);
        assertEquals(0.005194065783077882, Significance.binomial(459, 1000, 0.5, LESS), 1e-12);
        assertEquals(0.00014478645146791236, Significance.binomial(480, 1080, 0.5, LESS), 1e-13);
        assertEquals(0.0560086597876897, Significance.poisson(11, 21, 800, 3011, GREATER), 1e-12);
        assertEquals(7.85013964559367e-05, Significance.binomial(30, 100, 0.5, TWO_SIDED), 1e-15);
        assertEquals(7.85013964559367e-05, Significance.binomial(70, 100, 0.5, TWO_SIDED), 1e-15);
        assertEquals(0.07875342366146737, Significance.binomial(999_000, 2_000_000, 0.5, LESS), 1e-9);
        assertEquals(0.016977168630731825, Significance.binomial(1_001_500, 2_000_000, 0.5, GREATER), 1e-9);
    }

    @Test
    @DisplayName("the fewest counts that can reject at all: 7 at 0.01 one-sided (1/128 < 0.01 <= 1/64), 5 at 0.05, "
            + "8 at 0.01 two-sided")
    void fewest() {
        assertEquals(7, Significance.fewest(0.01, LESS));
        assertEquals(5, Significance.fewest(0.05, GREATER));
        assertEquals(8, Significance.fewest(0.01, TWO_SIDED));
        assertEquals(8, Significance.fewest(1.0 / 128, LESS), "the p-value must be below the level, not at it");
    }
}
