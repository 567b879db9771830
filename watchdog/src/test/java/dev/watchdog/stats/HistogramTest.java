package dev.watchdog.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.stats.Histogram.Bucket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Worked cases of Prometheus's bucketQuantile (promql/quantile.go), each derived by hand from its
 * steps; HistogramIT compares the same and random ones with a real Prometheus's histogram_quantile.
 */
class HistogramTest {

    static final double INF = Double.POSITIVE_INFINITY;

    /** le 0.1: 10, 0.25: 30, 0.5: 40, 1: 45, +Inf: 50. */
    static final Histogram FIFTY = histogram(0.1, 10, 0.25, 30, 0.5, 40, 1, 45, INF, 50);

    /** (le, count) pairs, in the order given. */
    static Histogram histogram(double... pairs) {
        List<Bucket> buckets = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            buckets.add(new Bucket(pairs[i], pairs[i + 1]));
        }
        return Histogram.of(buckets);
    }

    @Nested
    @DisplayName("quantile, as histogram_quantile")
    class Quantile {

        @Test
        @DisplayName("interpolates linearly within the bucket that holds the rank")
        void interpolates() {
            // rank 25 in (0.1, 0.25], 15 of its 20: 0.1 + 0.15 * 15/20
            assertEquals(0.2125, FIFTY.quantile(0.5), 1e-15);
            // rank 40 is the top of (0.25, 0.5]
            assertEquals(0.5, FIFTY.quantile(0.8), 1e-15);
        }

        @Test
        @DisplayName("starts the lowest bucket at 0 when its bound is positive")
        void lowestBucketFromZero() {
            assertEquals(0.05, FIFTY.quantile(0.1), 1e-15); // rank 5 of 10 in (0, 0.1]
            assertEquals(0, FIFTY.quantile(0), 1e-15);
        }

        @Test
        @DisplayName("gives the highest finite bound for a rank in the +Inf bucket")
        void infBucket() {
            assertEquals(1, FIFTY.quantile(0.95)); // rank 47.5 > 45
            assertEquals(1, FIFTY.quantile(1));
        }

        @Test
        @DisplayName("reads a lowest bucket with a bound at or below 0 as that bound")
        void negativeLowestBucket() {
            Histogram h = histogram(-1, 2, 0, 5, 1, 9, INF, 10);
            assertEquals(-1, h.quantile(0.1)); // rank 1 in the lowest bucket
            assertEquals(-1 + 2.0 / 3, h.quantile(0.4), 1e-15); // rank 4: 2 of the 3 in (-1, 0]
        }

        @Test
        @DisplayName("is NaN for q NaN, no observations, or fewer than 2 buckets; infinite for q outside [0, 1]")
        void specialCases() {
            assertTrue(Double.isNaN(FIFTY.quantile(Double.NaN)));
            assertEquals(Double.NEGATIVE_INFINITY, FIFTY.quantile(-0.1));
            assertEquals(INF, FIFTY.quantile(1.1));
            assertTrue(Double.isNaN(histogram(0.1, 0, 1, 0, INF, 0).quantile(0.5)), "no observations");
            assertTrue(Double.isNaN(histogram(INF, 5).quantile(0.5)), "only the +Inf bucket");
        }

        @Test
        @DisplayName("keeps Prometheus's 0/0: q = 0 over an empty lowest bucket is NaN")
        void zeroOverEmptyLowestBucket() {
            assertTrue(Double.isNaN(histogram(0.1, 0, 0.2, 5, INF, 5).quantile(0)));
        }
    }

    @Nested
    @DisplayName("the buckets, as Prometheus fixes them")
    class Fixes {

        @Test
        @DisplayName("sorts by bound whatever the order given")
        void sorts() {
            Histogram shuffled = histogram(INF, 50, 0.5, 40, 0.1, 10, 1, 45, 0.25, 30);
            assertEquals(FIFTY.buckets(), shuffled.buckets());
            assertEquals(0.2125, shuffled.quantile(0.5), 1e-15);
        }

        @Test
        @DisplayName("raises a count below a lower bucket's to it (ensureMonotonic): 10, 8, 15 reads 10, 10, 15")
        void monotonic() {
            Histogram h = histogram(0.1, 10, 0.25, 8, 0.5, 15, INF, 15);
            assertEquals(List.of(new Bucket(0.1, 10), new Bucket(0.25, 10), new Bucket(0.5, 15), new Bucket(INF, 15)),
                    h.buckets());
            assertEquals(0.075, h.quantile(0.5), 1e-15); // rank 7.5 of 10 in (0, 0.1]
            assertEquals(0.425, h.quantile(0.9), 1e-15); // rank 13.5: 3.5 of the 5 in (0.25, 0.5]
        }

        @Test
        @DisplayName("adds up buckets of the same bound (coalesceBuckets), such as le=\"0.5\" and le=\"0.50\"")
        void coalesces() {
            Histogram h = histogram(0.5, 3, 0.5, 4, 1, 10, INF, 10);
            assertEquals(List.of(new Bucket(0.5, 7), new Bucket(1, 10), new Bucket(INF, 10)), h.buckets());
        }

        @Test
        @DisplayName("evens out float noise within a relative 1e-12 (correctPrecisionErrors)")
        void precision() {
            Histogram h = histogram(0.1, 10, 0.2, 10 + 5e-12, 0.3, 10 - 5e-12, INF, 12);
            assertEquals(List.of(new Bucket(0.1, 10), new Bucket(0.2, 10), new Bucket(0.3, 10), new Bucket(INF, 12)),
                    h.buckets());
        }

        @Test
        @DisplayName("needs its +Inf bucket, and counts that are numbers, finite and not negative")
        void refuses() {
            assertThrows(IllegalArgumentException.class, () -> histogram(0.1, 1, 1, 2));
            assertThrows(IllegalArgumentException.class, () -> histogram());
            assertThrows(IllegalArgumentException.class, () -> histogram(0.1, -1, INF, 2));
            assertThrows(IllegalArgumentException.class, () -> histogram(0.1, Double.NaN, INF, 2));
            assertThrows(IllegalArgumentException.class, () -> histogram(Double.NaN, 1, INF, 2));
        }
    }

    @Nested
    @DisplayName("above")
    class Above {

        @Test
        @DisplayName("counts the observations above x, spread evenly within x's bucket")
        void interpolates() {
            assertEquals(45, FIFTY.above(0.05), 1e-12); // half of the 10 in (0, 0.1] lie above 0.05
            assertEquals(40, FIFTY.above(0.1), 1e-12);
            assertEquals(25, FIFTY.above(0.2125), 1e-12);
            assertEquals(5, FIFTY.above(1), 1e-12);
        }

        @Test
        @DisplayName("is the inverse of quantile: (1 - q) of all lie above the q-quantile")
        void inverseOfQuantile() {
            for (double q = 0.01; q < 0.9; q += 0.01) {
                assertEquals((1 - q) * 50, FIFTY.above(FIFTY.quantile(q)), 1e-9, "q = " + q);
            }
        }

        @Test
        @DisplayName("is everything below the lowest bucket's start; the +Inf bucket's count past the last bound; "
                + "none above +Inf")
        void ends() {
            assertEquals(50, FIFTY.above(0));
            assertEquals(50, FIFTY.above(-3));
            assertEquals(5, FIFTY.above(7), "at most the 5 above 1: where they lie is unknown");
            assertEquals(0, FIFTY.above(INF));
            Histogram negative = histogram(-1, 2, 0, 5, 1, 9, INF, 10);
            assertEquals(10, negative.above(-2));
            assertEquals(8, negative.above(-1), "the lowest bucket's 2 are at its bound, not above it");
            assertTrue(Double.isNaN(histogram(INF, 5).above(1)));
        }

        @Test
        @DisplayName("total is the +Inf bucket's count")
        void total() {
            assertEquals(50, FIFTY.total());
            assertEquals(15, histogram(0.1, 10, 0.25, 8, 0.5, 15, INF, 12).total(), "raised by the monotonicity fix");
        }
    }
}
