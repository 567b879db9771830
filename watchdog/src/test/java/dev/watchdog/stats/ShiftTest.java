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
    @DisplayName("latencies 14 % slower over 1000 requests against the hour before: p95 +14.8 % [+3.2 %, +31.9 %]")
    void fourteenPercent() {
        Evidence ev = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01)
                .test(Latency.lognormal().scaled(1.14).expected(FINE, 1000));
        assertEquals(0.148, ev.effect(), 5e-4);
        assertEquals(0.032, ev.interval().lower(), 5e-4);
        assertEquals(0.319, ev.interval().upper(), 5e-4);
        assertTrue(ev.rejects());
    }

    @Test
    @DisplayName("counts the new observations above the reference's p95 times 1 + margin, and the reference's 5 % above its p95")
    void threshold() {
        Shift shift = Shift.against(HOUR_BEFORE, 0.95, MORE, 0.1, 0.01);
        assertEquals(HOUR_BEFORE.quantile(0.95) * 1.1, shift.threshold(), 1e-12);
        Histogram now = Latency.lognormal().expected(FINE, 36_000);
        Evidence.Counts counts = shift.test(now).counts();
        assertEquals(now.above(shift.threshold()), counts.events(), 1e-9);
        assertEquals(36_000, counts.exposure(), 1e-6);
        assertEquals(0.05 * 144_000, counts.referenceEvents(), 1e-6);
        assertEquals(144_000, counts.referenceExposure(), 1e-6);
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
    @DisplayName("a reference of 20 requests: the same latencies are no evidence; three times slower over 100,000 is, "
            + "with a wide interval")
    void tinyReference() {
        Histogram reference = Latency.lognormal().expected(Latency.DEFAULT_BUCKETS, 20);
        Shift shift = Shift.against(reference, 0.95, MORE, 0, 0.01);
        assertFalse(shift.test(Latency.lognormal().expected(Latency.DEFAULT_BUCKETS, 100_000)).rejects());
        Evidence slower = shift.test(Latency.lognormal().scaled(3).expected(Latency.DEFAULT_BUCKETS, 100_000));
        assertTrue(slower.rejects(), slower.toString());
        assertTrue(slower.interval().lower() < 0.1, "one request in twenty above it bounds little: " + slower.interval());
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
    @DisplayName("no new requests yet: no evidence, an e-value of 1")
    void nothingNewYet() {
        Evidence ev = Shift.against(HOUR_BEFORE, 0.95, MORE, 0, 0.01).test(Latency.lognormal().expected(FINE, 0));
        assertEquals(1, ev.eValue(), 1e-15);
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
        @DisplayName("the reference: p95 188.3 ms, 201 requests above it")
        void reference() {
            assertEquals(0.18825, HOUR_BEFORE.quantile(0.95), 5e-6);
            assertEquals(0.18825, SHIFT.threshold(), 5e-6);
            assertEquals(201, HOUR_BEFORE.above(SHIFT.threshold()), 1e-6);
        }

        @Test
        @DisplayName("at 578 requests: p95 +12.7 % [-1.2 %, +35.6 %], 47.9 above 188.3 ms, e = 32.9: not yet")
        void notYet() {
            Evidence ev = SHIFT.test(Latency.histogram(BOUNDS, new double[] {66, 265, 154, 59, 21, 8, 4, 1, 0, 0, 0}));
            assertEquals(0.1269, ev.effect(), 5e-5);
            assertEquals(-0.0122, ev.interval().lower(), 5e-5);
            assertEquals(0.3559, ev.interval().upper(), 5e-5);
            assertEquals(47.87, ev.counts().events(), 5e-3);
            assertEquals(32.93, ev.eValue(), 5e-3);
            assertFalse(ev.rejects());
        }

        @Test
        @DisplayName("at 866 requests: p95 +11.8 % [+0.08 %, +29.7 %], 70.7 above 188.3 ms, e = 110: a rise, at alpha 0.01")
        void found() {
            Evidence ev = SHIFT.test(Latency.histogram(BOUNDS, new double[] {100, 397, 231, 88, 32, 11, 6, 1, 0, 0, 0}));
            assertEquals(0.1181, ev.effect(), 5e-5);
            assertEquals(0.0008, ev.interval().lower(), 5e-5);
            assertEquals(0.2970, ev.interval().upper(), 5e-5);
            assertEquals(70.69, ev.counts().events(), 5e-3);
            assertEquals(109.7, ev.eValue(), 0.05);
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
