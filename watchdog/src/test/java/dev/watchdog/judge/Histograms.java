package dev.watchdog.judge;

import dev.watchdog.core.Series;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Latency histograms as Prometheus answers them: one series per bucket bound, with an le label. */
final class Histograms {

    /** The bounds of the shipped rules' corpus, in seconds. */
    static final double[] BOUNDS = {0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8};

    private Histograms() {}

    /** The expected cumulative bucket counts of n requests with log-normal latencies (sigma 0.45) around a median. */
    static List<Series> lognormal(Map<String, String> labels, double median, double n) {
        List<Series> out = new ArrayList<>();
        for (double le : BOUNDS) {
            out.add(bucket(labels, Double.toString(le), n * normal(Math.log(le / median) / 0.45)));
        }
        out.add(bucket(labels, "+Inf", n));
        return out;
    }

    static Series bucket(Map<String, String> labels, String le, double count) {
        Map<String, String> all = new HashMap<>(labels);
        all.put("le", le);
        return new Series(all, count);
    }

    /** Φ(z) (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
    static double normal(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-x * x);
        return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }
}
