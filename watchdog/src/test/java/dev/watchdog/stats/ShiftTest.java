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

/** The quantile-shift test on histograms of known latencies (exact expected counts, no sampling). */
class ShiftTest {

    static final double[] FINE = Latency.FINE_BUCKETS;
    static final Histogram HOUR_BEFORE = Latency.lognormal().expected(FINE, 144_000);

    @Test
    @DisplayName("the same latencies as the hour before: p95 +0 %, an interval around 0, no rejection")
    void noChange() {
        Evidence ev = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01).test(Latency.lognormal().expected(FINE, 36_000));
        assertEquals(0, ev.effect(), 1e-12);
        assertTrue(ev.interval().contains(0), ev.interval().toString());
        assertFalse(ev.rejects());
        assertTrue(ev.eValue() < 1, "no evidence at all: " + ev.eValue());
    }

    @Test
    @DisplayName("latencies 25 % slower over 36000 requests: p95 +25 %, rejects, the interval around +25 % and above 0")
    void slower() {
        Histogram now = Latency.lognormal().scaled(1.25).expected(FINE, 36_000);
        Evidence ev = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01).test(now);
        assertEquals(0.25, ev.effect(), 0.01, "interpolation within 25 % buckets moves it a little");
        assertTrue(ev.rejects());
        assertTrue(ev.interval().lower() > 0 && ev.interval().contains(ev.effect()), ev.interval().toString());
        assertTrue(ev.interval().upper() < 0.4, ev.interval().toString());
    }

    @Test
    @DisplayName("latencies 14 % slower over 9000 requests against the hour before: p95 +14.8 % [+9.0 %, +20.6 %]")
    void fourteenPercent() {
        Evidence ev = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01)
                .test(Latency.lognormal().scaled(1.14).expected(FINE, 9000));
        assertEquals(0.148, ev.effect(), 5e-4);
        assertEquals(0.090, ev.interval().lower(), 5e-4);
        assertEquals(0.206, ev.interval().upper(), 5e-4);
        assertTrue(ev.rejects());
    }

    @Test
    @DisplayName("counts the new observations above the reference's upper bound for its p95, which lies above its p95")
    void threshold() {
        Shift shift = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01);
        double p95 = HOUR_BEFORE.quantile(0.95);
        assertTrue(shift.threshold() > p95 && shift.threshold() < p95 * 1.02, shift.threshold() + " against " + p95);
        Histogram now = Latency.lognormal().expected(FINE, 36_000);
        Evidence.Counts counts = shift.test(now).counts();
        assertEquals(now.above(shift.threshold()), counts.events(), 1e-9);
        assertEquals(36_000, counts.exposure(), 1e-6);
        assertEquals(HOUR_BEFORE.above(shift.threshold()), counts.referenceEvents(), 1e-9);
        assertTrue(counts.referenceEvents() < 0.05 * 144_000, "fewer than 5 % of the reference lie above its bound");
    }

    @Test
    @DisplayName("the reference's bounds are the edges of the tests on its exceedance count")
    void referenceBounds() {
        double upper = Shift.quantileBound(HOUR_BEFORE, 0.95, FEWER, 0.005);
        assertTrue(Mixture.DEFAULT.rejects(HOUR_BEFORE.above(upper), 144_000, 0.05, FEWER, 0.005));
        assertFalse(Mixture.DEFAULT.rejects(HOUR_BEFORE.above(upper * 0.999), 144_000, 0.05, FEWER, 0.005));
        double lower = Shift.quantileBound(HOUR_BEFORE, 0.95, MORE, 0.005);
        assertTrue(Mixture.DEFAULT.rejects(HOUR_BEFORE.above(lower), 144_000, 0.05, MORE, 0.005));
        assertFalse(Mixture.DEFAULT.rejects(HOUR_BEFORE.above(lower * 1.001), 144_000, 0.05, MORE, 0.005));
    }

    @Test
    @DisplayName("rejects exactly when the interval's end on the tested side passes the margin, for rises and drops")
    void rejectsAsTheIntervalSays() {
        Histogram reference = Latency.lognormal().expected(FINE, 4020);
        for (double factor = 0.7; factor <= 1.4; factor += 0.02) {
            Histogram now = Latency.lognormal().scaled(factor).expected(FINE, 2310);
            for (double margin : new double[] {0, 0.1}) {
                Evidence more = Shift.against(reference, 0.95, MORE, margin, 0.01).test(now);
                assertEquals(more.rejects(), more.interval().lower() >= margin - 1e-9, factor + " " + more);
                Evidence fewer = Shift.against(reference, 0.95, FEWER, -margin, 0.01).test(now);
                assertEquals(fewer.rejects(), fewer.interval().upper() <= -margin + 1e-9, factor + " " + fewer);
            }
        }
    }

    @Test
    @DisplayName("FEWER finds a faster p95")
    void faster() {
        Histogram now = Latency.lognormal().scaled(0.7).expected(FINE, 36_000);
        Evidence ev = Shift.against(HOUR_BEFORE, 0.95, FEWER, 0, 0.01).test(now);
        assertTrue(ev.rejects());
        assertTrue(ev.interval().upper() < 0 && ev.interval().contains(ev.effect()), ev.interval().toString());
    }

    @Test
    @DisplayName("a reference too small to bound its p95 tells nothing: threshold +Inf, never a rejection")
    void tinyReference() {
        Histogram reference = Latency.lognormal().expected(Latency.DEFAULT_BUCKETS, 20);
        Shift shift = Shift.against(reference, 0.95, MORE, 0, 0.01);
        assertEquals(Double.POSITIVE_INFINITY, shift.threshold());
        Evidence ev = shift.test(Latency.lognormal().scaled(3).expected(Latency.DEFAULT_BUCKETS, 100_000));
        assertFalse(ev.rejects());
        assertEquals(-1, ev.interval().lower());
    }

    @Test
    @DisplayName("a reference whose p95 bound falls in the +Inf bucket tells nothing either: where its p95 lies is unknown")
    void referenceBeyondItsBuckets() {
        Histogram reference = HistogramTest.histogram(0.1, 9000, 0.25, 9400, Double.POSITIVE_INFINITY, 10_000);
        Shift shift = Shift.against(reference, 0.95, MORE, 0, 0.01);
        assertEquals(Double.POSITIVE_INFINITY, shift.threshold());
        assertFalse(shift.test(HistogramTest.histogram(0.1, 0, 0.25, 0, Double.POSITIVE_INFINITY, 10_000)).rejects());
    }

    @Test
    @DisplayName("no new requests yet: no evidence, an e-value of 1/2 (half of alpha went to the reference)")
    void nothingNewYet() {
        Evidence ev = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01).test(Latency.lognormal().expected(FINE, 0));
        assertEquals(0.5, ev.eValue(), 1e-15);
        assertFalse(ev.rejects());
        assertEquals(new Interval(-1, Double.POSITIVE_INFINITY), ev.interval());
    }

    @Nested
    @DisplayName("the worked example of docs/statistics.md: p95 against the hour before, 4020 requests")
    class WorkedExample {

        static final double[] BOUNDS = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1};
        static final Histogram HOUR_BEFORE = Latency.histogram(BOUNDS,
                new double[] {698, 2005, 898, 285, 89, 29, 14, 2, 0, 0, 0});
        static final Shift SHIFT = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01);

        @Test
        @DisplayName("the reference: p95 188 ms, bounded above at 197 ms")
        void reference() {
            assertEquals(0.18825, HOUR_BEFORE.quantile(0.95), 5e-6);
            assertEquals(0.19685, SHIFT.threshold(), 5e-6);
        }

        @Test
        @DisplayName("at 2311 requests: p95 +12.4 % [-0.6 %, +30.2 %], 149.8 above 197 ms, e = 19.3: not yet")
        void notYet() {
            Evidence ev = SHIFT.test(Latency.histogram(BOUNDS, new double[] {265, 1059, 617, 235, 84, 31, 16, 3, 1, 0, 0}));
            assertEquals(0.1239, ev.effect(), 5e-5);
            assertEquals(-0.0062, ev.interval().lower(), 5e-5);
            assertEquals(0.3022, ev.interval().upper(), 5e-5);
            assertEquals(149.80, ev.counts().events(), 5e-3);
            assertEquals(19.30, ev.eValue(), 5e-3);
            assertFalse(ev.rejects());
        }

        @Test
        @DisplayName("at 3463 requests: p95 +12.1 % [+0.07 %, +27.9 %], 223.2 above 197 ms, e = 129: a rise, at alpha 0.01")
        void found() {
            Evidence ev = SHIFT.test(Latency.histogram(BOUNDS, new double[] {397, 1588, 925, 352, 126, 46, 24, 4, 1, 0, 0}));
            assertEquals(0.1212, ev.effect(), 5e-5);
            assertEquals(0.0007, ev.interval().lower(), 5e-5);
            assertEquals(0.2794, ev.interval().upper(), 5e-5);
            assertEquals(223.17, ev.counts().events(), 5e-3);
            assertEquals(129.1, ev.eValue(), 0.05);
            assertTrue(ev.rejects());
        }
    }

    @Test
    @DisplayName("refuses q outside (0, 1), a margin of -100 % or less, and alpha outside (0, 1)")
    void refuses() {
        assertThrows(IllegalArgumentException.class, () -> Shift.against(HOUR_BEFORE, 1, MORE, 0, 0.01));
        assertThrows(IllegalArgumentException.class, () -> Shift.against(HOUR_BEFORE, 0.95, MORE, -1, 0.01));
        assertThrows(IllegalArgumentException.class, () -> Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0));
    }
}
