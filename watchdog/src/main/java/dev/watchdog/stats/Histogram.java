package dev.watchdog.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A Prometheus classic histogram: cumulative counts by upper bound {@code le}, the last one +Inf.
 * Its quantiles are those of PromQL's {@code histogram_quantile} (promql/quantile.go,
 * {@code bucketQuantile}): buckets sorted by bound, buckets of equal bound merged, counts within a
 * relative 1e-12 of the one below made equal to it, then any decrease raised to the highest count
 * below (Prometheus's "monotonicity fix"), and linear interpolation within a bucket. Counts may be
 * fractional, as {@code increase()} extrapolates them.
 */
public final class Histogram {

    /** One bucket: the count of observations at or below {@code le}. */
    public record Bucket(double le, double count) {

        public Bucket {
            if (Double.isNaN(le)) {
                throw new IllegalArgumentException("a bucket bound must be a number");
            }
            if (!(count >= 0) || Double.isInfinite(count)) {
                throw new IllegalArgumentException("a bucket count must be finite and not negative: " + count);
            }
        }
    }

    private static final double PRECISION = 1e-12;

    private final double[] bounds;
    private final double[] counts;

    private Histogram(double[] bounds, double[] counts) {
        this.bounds = bounds;
        this.counts = counts;
    }

    /** From (le, cumulative count) pairs in any order; one must be the +Inf bucket. */
    public static Histogram of(List<Bucket> buckets) {
        List<Bucket> sorted = new ArrayList<>(buckets);
        sorted.sort(Comparator.comparingDouble(Bucket::le));
        if (sorted.isEmpty() || sorted.get(sorted.size() - 1).le() != Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("a histogram needs its +Inf bucket (histogram_quantile would be NaN)");
        }
        List<Bucket> merged = merged(sorted);
        double[] bounds = merged.stream().mapToDouble(Bucket::le).toArray();
        double[] counts = merged.stream().mapToDouble(Bucket::count).toArray();
        fixPrecision(counts);
        fixMonotonic(counts);
        return new Histogram(bounds, counts);
    }

    /** The buckets after Prometheus's fixes, in order of bound. */
    public List<Bucket> buckets() {
        List<Bucket> all = new ArrayList<>(bounds.length);
        for (int i = 0; i < bounds.length; i++) {
            all.add(new Bucket(bounds[i], counts[i]));
        }
        return all;
    }

    /**
     * Every count divided by {@code divisor}: the same quantiles, with the weight of fewer observations
     * (counts that vary more than independent ones would, divided by their {@link Dispersion}).
     */
    public Histogram divided(double divisor) {
        if (!(divisor > 0) || Double.isInfinite(divisor)) {
            throw new IllegalArgumentException("divisor must be positive and finite: " + divisor);
        }
        double[] fewer = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            fewer[i] = counts[i] / divisor;
        }
        return new Histogram(bounds, fewer);
    }

    /** Every bound times {@code factor}: each quantile times it, the counts the same. */
    public Histogram scaled(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be positive and finite: " + factor);
        }
        double[] moved = new double[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            moved[i] = bounds[i] * factor;
        }
        return new Histogram(moved, counts);
    }

    /** All observations: the +Inf bucket's count. */
    public double total() {
        return counts[counts.length - 1];
    }

    /**
     * The q-quantile as {@code histogram_quantile(q, ...)}: NaN for q NaN, no observations or fewer
     * than 2 buckets; -Inf below q = 0 and +Inf above q = 1; the highest finite bound when the rank
     * falls in the +Inf bucket; the lowest bucket starts at 0 if its bound is positive, and is read as
     * its bound if not.
     */
    public double quantile(double q) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0 || q > 1) {
            return q < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (bounds.length < 2 || total() == 0) {
            return Double.NaN;
        }
        double rank = q * total();
        int b = bucketOfRank(rank);
        if (b == bounds.length - 1) {
            return bounds[b - 1];
        }
        if (b == 0 && bounds[0] <= 0) {
            return bounds[0];
        }
        double start = b == 0 ? 0 : bounds[b - 1];
        double below = b == 0 ? 0 : counts[b - 1];
        return start + (bounds[b] - start) * ((rank - below) / (counts[b] - below));
    }

    /**
     * How many observations lie above x, with the observations of x's bucket spread evenly across it,
     * as {@link #quantile} assumes: above a quantile's value lie (1 - q) of all. Beyond the highest
     * finite bound it is the count of the +Inf bucket (where they lie in it is unknown: at most that
     * many); 0 above +Inf itself. NaN with fewer than 2 buckets.
     */
    public double above(double x) {
        if (Double.isNaN(x) || bounds.length < 2) {
            return Double.NaN;
        }
        int last = bounds.length - 1;
        if (x == Double.POSITIVE_INFINITY) {
            return 0;
        }
        if (x > bounds[last - 1]) {
            return total() - counts[last - 1];
        }
        int b = bucketOfValue(x);
        if (b == 0 && bounds[0] <= 0) {
            return x < bounds[0] ? total() : total() - counts[0]; // a lowest bucket with no start: all at its bound
        }
        if (b == 0 && x <= 0) {
            return total();
        }
        double start = b == 0 ? 0 : bounds[b - 1];
        double below = b == 0 ? 0 : counts[b - 1];
        double fraction = (x - start) / (bounds[b] - start);
        return Math.max(0, total() - (below + (counts[b] - below) * fraction)); // never -1e-13 from rounding
    }

    /** The highest finite bound: above it, where observations lie is unknown. NaN with fewer than 2 buckets. */
    double lastFinite() {
        return bounds.length < 2 ? Double.NaN : bounds[bounds.length - 2];
    }

    /** Whether the q-quantile's rank falls in the +Inf bucket, where {@link #quantile} can only give a floor. */
    boolean beyondFinite(double q) {
        return bounds.length < 2 || q * total() > counts[bounds.length - 2];
    }

    /** The first bucket whose count reaches the rank, or the +Inf bucket (Go's sort.Search over all but it). */
    private int bucketOfRank(double rank) {
        int lo = 0;
        int hi = bounds.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (counts[mid] >= rank) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The first bucket whose bound is at or above x. */
    private int bucketOfValue(double x) {
        int lo = 0;
        int hi = bounds.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[mid] >= x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Buckets of the same bound (the same le from two series) add up, as Prometheus's coalesceBuckets. */
    private static List<Bucket> merged(List<Bucket> sorted) {
        List<Bucket> merged = new ArrayList<>();
        for (Bucket b : sorted) {
            int last = merged.size() - 1;
            if (last >= 0 && merged.get(last).le() == b.le()) {
                merged.set(last, new Bucket(b.le(), merged.get(last).count() + b.count()));
            } else {
                merged.add(b);
            }
        }
        return merged;
    }

    /** Prometheus's correctPrecisionErrors: a count within a relative 1e-12 of the last kept one becomes it. */
    private static void fixPrecision(double[] counts) {
        double previous = counts[0];
        for (int i = 1; i < counts.length; i++) {
            double delta = Math.abs(counts[i] - previous);
            if (delta == 0) {
                continue;
            }
            if (delta / counts[i] <= PRECISION) {
                counts[i] = previous;
            } else {
                previous = counts[i];
            }
        }
    }

    /** Prometheus's ensureMonotonic: a count below the highest one before it is raised to it. */
    private static void fixMonotonic(double[] counts) {
        double max = counts[0];
        for (int i = 1; i < counts.length; i++) {
            max = Math.max(max, counts[i]);
            counts[i] = max;
        }
    }
}
