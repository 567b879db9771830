package dev.watchdog.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded random counts for the simulations: Poisson and binomial, exact (no normal approximation). */
final class Draws {

    private final SplittableRandom random;

    Draws(long seed) {
        this(new SplittableRandom(seed));
    }

    private Draws(SplittableRandom random) {
        this.random = random;
    }

    /**
     * {@code n} draws of their own, split from this one in order: runs that each take one give the same
     * results whichever thread runs them, in whatever order.
     */
    List<Draws> split(int n) {
        List<Draws> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Draws(random.split()));
        }
        return out;
    }

    /** Poisson: by inversion below a mean of 30, above it by Hörmann's PTRS (transformed rejection, 1993). */
    int poisson(double mean) {
        if (mean < 30) {
            return poissonByInversion(mean);
        }
        double root = Math.sqrt(mean);
        double logMean = Math.log(mean);
        double b = 0.931 + 2.53 * root;
        double a = -0.059 + 0.02483 * b;
        double inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = random.nextDouble() - 0.5;
            double v = random.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) {
                return (int) k;
            }
            if (k < 0 || (us < 0.013 && v > us)) {
                continue;
            }
            double accept = -mean + k * logMean - Beta.logGamma(k + 1.0);
            if (Math.log(v * inverseAlpha / (a / (us * us) + b)) <= accept) {
                return (int) k;
            }
        }
    }

    private int poissonByInversion(double mean) {
        double u = random.nextDouble();
        double p = Math.exp(-mean);
        int k = 0;
        while (u > p) {
            u -= p;
            k++;
            p *= mean / k;
            if (p == 0) {
                break;
            }
        }
        return k;
    }

    /** Binomial by inversion from 0: for n p up to some tens. */
    int binomial(int n, double p) {
        double u = random.nextDouble();
        double ratio = p / (1 - p);
        double prob = Math.pow(1 - p, n);
        int k = 0;
        while (u > prob && k < n) {
            u -= prob;
            prob *= ratio * (n - k) / (k + 1);
            k++;
        }
        return k;
    }

    /**
     * Binomial for any n p: by inversion for n p below 30, else as the errors of a Poisson number of
     * trials close to n (thinning), which is what a count of requests over a window is anyway.
     */
    double poissonBinomial(int n, double p) {
        return n * p < 30 && n < 100_000 ? binomial(n, p) : poisson(n * p);
    }

    /** Each bucket's count of a Poisson number of requests with mean n spread by the chances: independent Poissons. */
    double[] buckets(double[] chances, double n) {
        double[] counts = new double[chances.length];
        for (int i = 0; i < chances.length; i++) {
            counts[i] = poisson(n * chances[i]);
        }
        return counts;
    }
}
