package dev.watchdog.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The dispersion factor from successive minutes: exact on small cases, near its true value on draws. */
class DispersionTest {

    @Test
    @DisplayName("counts: the squared differences of neighbours over the sum of their counts (R: sum(diff(x)^2)/sum(x[-1]+x[-n]))")
    void countsByHand() {
        double[] c = {50, 150, 50, 150, 50, 150, 50, 150, 50, 150, 50};
        assertEquals(50, Dispersion.poisson(c), 1e-12, "each difference 100, where chance would have 200");
        double[] r = {98, 105, 101, 95, 110, 102, 99, 97, 104, 100, 103};
        // Rscript -e 'x <- c(98,105,101,95,110,102,99,97,104,100,103); sum(diff(x)^2)/sum(x[-1]+x[-length(x)])'
        assertEquals(0.23532314, Dispersion.poisson(r), 1e-8);
    }

    @Test
    @DisplayName("shares: the squared differences of neighbouring shares over their binomial variance, pooled p")
    void sharesByHand() {
        double[] k = {5, 7, 4, 6, 5, 8, 3, 6, 5, 7, 4};
        double[] n = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100};
        double p = 60.0 / 1100;
        double squares = 0;
        for (int i = 1; i < k.length; i++) {
            squares += Math.pow((k[i] - k[i - 1]) / 100, 2);
        }
        assertEquals(squares / (10 * p * (1 - p) * 0.02), Dispersion.binomial(k, n), 1e-12);
    }

    @Test
    @DisplayName("too few minutes, or no events at all, cannot tell: NaN; minutes without data are skipped")
    void cannotTell() {
        assertTrue(Double.isNaN(Dispersion.poisson(new double[] {1, 2, 3})));
        assertTrue(Double.isNaN(Dispersion.binomial(new double[12], new double[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9})));
        double[] gaps = {100, -1, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100};
        assertEquals(0, Dispersion.poisson(gaps), 1e-12);
    }

    @Test
    @DisplayName("independent Poisson counts read about 1; counts with a per-minute rate that wanders 10 % read 1 + 0.01 mu")
    void draws() {
        Draws draws = new Draws(7);
        SplittableRandom random = new SplittableRandom(8);
        double[] poisson = new double[2000];
        double[] bursty = new double[2000];
        for (int i = 0; i < poisson.length; i++) {
            poisson[i] = draws.poisson(2400);
            bursty[i] = draws.poisson(2400 * Math.exp(0.1 * random.nextGaussian() - 0.005));
        }
        assertEquals(1, Dispersion.poisson(poisson), 0.1);
        assertEquals(1 + 0.01 * 2400, Dispersion.poisson(bursty), 2.5);
    }

    @Test
    @DisplayName("a slow drift (traffic rising 50 % over the hour) barely counts: the differences of neighbours cancel it")
    void drift() {
        Draws draws = new Draws(9);
        double[] c = new double[60];
        for (int i = 0; i < c.length; i++) {
            c[i] = draws.poisson(2400 * (1 + 0.5 * i / 60.0));
        }
        assertTrue(Dispersion.poisson(c) < 1.6, "drift of 20 a minute against noise of 50: " + Dispersion.poisson(c));
    }

    @Test
    @DisplayName("a histogram divided by the dispersion keeps its quantiles and weighs as fewer observations")
    void divided() {
        Histogram h = Latency.lognormal().expected(Latency.DEFAULT_BUCKETS, 10_000);
        Histogram d = h.divided(4);
        assertEquals(h.quantile(0.95), d.quantile(0.95), 1e-12);
        assertEquals(2500, d.total(), 1e-9);
    }
}
