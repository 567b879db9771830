package dev.watchdog.stats;

import static dev.watchdog.stats.Direction.FEWER;
import static dev.watchdog.stats.Direction.MORE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rate comparison against R 4.2.2, with {@code lE(k, n, p0, more)} the closed-form ln E of
 * MixtureTest's header (it agrees with R's integrate), {@code options(digits = 17)}.
 */
class RatesTest {

    @Test
    @DisplayName("30 errors in 1000 requests against 10 in 1000: +200 %, the conditional test of 30 of 40 against 1/2")
    void errorsAgainstThePreviousVersion() {
        Evidence ev = Rates.test(new Rate(30, 1000), new Rate(10, 1000), MORE, 0, 0.01);
        assertEquals(2, ev.effect(), 1e-15);
        assertEquals(69.424642984370905, ev.eValue(), 1e-9); // R: exp(lE(30, 40, 0.5))
        assertFalse(ev.rejects(), "69 is short of 1/alpha = 100");
        assertEquals(new Evidence.Counts(30, 1000, 10, 1000), ev.counts());
    }

    @Test
    @DisplayName("the interval maps the confidence bounds for the new side's share back to a rate ratio")
    void interval() {
        Evidence ev = Rates.test(new Rate(30, 1000), new Rate(10, 1000), MORE, 0, 0.01);
        // R: lo <- uniroot(function(p) lE(30, 40, p) - log(100), c(1e-6, 0.75), tol = 1e-15)$root; lo / (1 - lo)
        assertEquals(0.95910968657919082 - 1, ev.interval().lower(), 1e-8);
        // R: hi <- uniroot(function(p) lE(30, 40, p, FALSE) - log(100), c(0.75, 1 - 1e-12), tol = 1e-15)$root; hi / (1 - hi)
        assertEquals(17.226358385436068 - 1, ev.interval().upper(), 1e-6);
    }

    @Test
    @DisplayName("a margin moves the null: 'at most +10 %' makes the share under it 1.1 e / (1.1 e + f)")
    void margin() {
        // R: pi0 <- 1.1 * 1000 / (1.1 * 1000 + 1000); exp(lE(30, 40, pi0))
        assertEquals(31.371228618054136, Rates.eValue(new Rate(30, 1000), new Rate(10, 1000), MORE, 0.1), 1e-9);
    }

    @Test
    @DisplayName("against a fixed reference window of other size: 12 in 600 requests against 1100 in the hour's 144000")
    void fixedReference() {
        Evidence ev = Rates.test(new Rate(12, 600), new Rate(1100, 144_000), MORE, 0, 0.01);
        assertEquals(12.0 / 600 / (1100.0 / 144_000) - 1, ev.effect(), 1e-12);
        assertEquals(16.815755290292984, ev.eValue(), 1e-8); // R: exp(lE(12, 1112, 600 / (600 + 144000)))
    }

    @Test
    @DisplayName("FEWER for drops: 40 orders against 100 in the same time is -60 %, and rejects")
    void fewer() {
        Evidence ev = Rates.test(new Rate(40, 1800), new Rate(100, 1800), FEWER, -0.2, 0.01);
        assertEquals(-0.6, ev.effect(), 1e-15);
        assertTrue(ev.rejects());
        assertTrue(ev.interval().upper() < -0.2, "the upper end is below the margin: " + ev.interval());
        // R: exp(lE(40, 140, 0.5, FALSE))
        assertEquals(140368.60639450676, Rates.eValue(new Rate(40, 1800), new Rate(100, 1800), FEWER, 0), 1e-4);
    }

    @Test
    @DisplayName("rejects exactly when the interval's end on the tested side passes the margin")
    void rejectsAsTheIntervalSays() {
        for (int x = 0; x <= 80; x++) {
            for (double margin : new double[] {0, 0.25}) {
                Evidence more = Rates.test(new Rate(x, 2000), new Rate(25, 1500), MORE, margin, 0.01);
                assertEquals(more.rejects(), more.interval().lower() > margin, "x=" + x + " " + more);
                Evidence fewer = Rates.test(new Rate(x, 2000), new Rate(25, 1500), FEWER, -margin, 0.01);
                assertEquals(fewer.rejects(), fewer.interval().upper() < -margin, "x=" + x + " " + fewer);
            }
        }
    }

    @Test
    @DisplayName("nothing on either side tells nothing: effect NaN, interval [-1, +Inf], e-value 1")
    void nothing() {
        Evidence ev = Rates.test(new Rate(0, 100), new Rate(0, 100), MORE, 0, 0.01);
        assertTrue(Double.isNaN(ev.effect()));
        assertEquals(new Interval(-1, Double.POSITIVE_INFINITY), ev.interval());
        assertEquals(1, ev.eValue(), 1e-15);
        assertEquals(1, ev.pValue());
    }

    @Test
    @DisplayName("errors over a reference of none: effect +Inf, and an interval open above")
    void overNone() {
        Evidence ev = Rates.test(new Rate(12, 100), new Rate(0, 100), MORE, 0, 0.01);
        assertEquals(Double.POSITIVE_INFINITY, ev.effect());
        assertEquals(Double.POSITIVE_INFINITY, ev.interval().upper());
        assertTrue(ev.rejects(), "12 of 12 on the new side, at an even split");
    }

    @Test
    @DisplayName("refuses negative events, no exposure, and a margin of -100 % or less")
    void refuses() {
        assertThrows(IllegalArgumentException.class, () -> new Rate(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new Rate(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Rates.eValue(new Rate(1, 1), new Rate(1, 1), MORE, -1));
        assertThrows(IllegalArgumentException.class, () -> Rates.test(new Rate(1, 1), new Rate(1, 1), MORE, 0, 1));
    }
}
