package dev.watchdog.stats;

import dev.watchdog.stats.Histogram.Bucket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** Latency distributions for the tests, as the chance of each bucket, and histograms drawn from them. */
final class Latency {

    /** The Prometheus client libraries' default buckets, in seconds. */
    static final double[] DEFAULT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Finer buckets: 5 ms growing by a quarter, to 5.2 s. */
    static final double[] FINE_BUCKETS = fine();

    private final DoubleUnaryOperator cdf;
    private final String name;

    private Latency(String name, DoubleUnaryOperator cdf) {
        this.name = name;
        this.cdf = cdf;
    }

    /** Lognormal: median 80 ms, sigma 0.5 (p95 182 ms). */
    static Latency lognormal() {
        return new Latency("lognormal(80 ms, 0.5)", x -> x <= 0 ? 0 : normal(Math.log(x / 0.08) / 0.5));
    }

    /**
     * Heavy-tailed: 90 % lognormal (median 60 ms, sigma 0.4), 10 % Pareto from 100 ms with shape 1.5
     * (p95 about 169 ms; its mean is finite, its variance is not).
     */
    static Latency paretoMixture() {
        return new Latency("90 % lognormal(60 ms, 0.4) + 10 % Pareto(100 ms, 1.5)", x -> {
            double body = x <= 0 ? 0 : normal(Math.log(x / 0.06) / 0.4);
            double tail = x < 0.1 ? 0 : 1 - Math.pow(0.1 / x, 1.5);
            return 0.9 * body + 0.1 * tail;
        });
    }

    /** The same latencies, each multiplied by factor: every quantile moves by that factor. */
    Latency scaled(double factor) {
        return new Latency(name + " x " + factor, x -> cdf.applyAsDouble(x / factor));
    }

    /** The chance of each bucket (the last is +Inf's own). */
    double[] chances(double[] bounds) {
        double[] chances = new double[bounds.length + 1];
        double below = 0;
        for (int i = 0; i < bounds.length; i++) {
            double at = cdf.applyAsDouble(bounds[i]);
            chances[i] = at - below;
            below = at;
        }
        chances[bounds.length] = 1 - below;
        return chances;
    }

    /** The histogram of exactly n times the chances: what a very long run averages to. */
    Histogram expected(double[] bounds, double n) {
        double[] chances = chances(bounds);
        double[] counts = new double[chances.length];
        for (int i = 0; i < chances.length; i++) {
            counts[i] = n * chances[i];
        }
        return histogram(bounds, counts);
    }

    /** A histogram from the per-bucket counts (not cumulative) over these bounds and +Inf. */
    static Histogram histogram(double[] bounds, double[] counts) {
        List<Bucket> buckets = new ArrayList<>(counts.length);
        double cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            buckets.add(new Bucket(i < bounds.length ? bounds[i] : Double.POSITIVE_INFINITY, cumulative));
        }
        return Histogram.of(buckets);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Φ(z), by erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
    static double normal(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * x);
        double erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223
                + t * 0.17087277)))))))));
        return z >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    private static double[] fine() {
        double[] bounds = new double[32];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = 0.005 * Math.pow(1.25, i);
        }
        return bounds;
    }
}
