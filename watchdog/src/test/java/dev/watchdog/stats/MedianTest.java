package dev.watchdog.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MedianTest {

    record Window(String name, double value) {}

    @Test
    @DisplayName("the middle of yesterday, 7 and 14 days ago; of an even number, the mean of the middle two")
    void of() {
        assertEquals(0.31, Median.of(0.40, 0.31, 0.29));
        assertEquals(2.5, Median.of(4, 1, 3, 2));
        assertEquals(7, Median.of(7));
    }

    @Test
    @DisplayName("a window without data (NaN) is left out; none at all is NaN")
    void withoutData() {
        assertEquals(0.35, Median.of(0.40, Double.NaN, 0.30), 1e-15);
        assertTrue(Double.isNaN(Median.of(Double.NaN)));
        assertTrue(Double.isNaN(Median.of()));
    }

    @Test
    @DisplayName("picks the window whose value is the median, so that its counts go into the test")
    void pick() {
        List<Window> windows = List.of(new Window("1d", 0.40), new Window("7d", 0.31), new Window("14d", 0.29));
        assertEquals("7d", Median.pick(windows, Window::value).orElseThrow().name());
    }

    @Test
    @DisplayName("of an even number the lower middle one, among equals the first given, NaN left out")
    void pickEdges() {
        List<Window> four = List.of(new Window("a", 4), new Window("b", 1), new Window("c", 3), new Window("d", 2));
        assertEquals("d", Median.pick(four, Window::value).orElseThrow().name());
        List<Window> equal = List.of(new Window("a", 1), new Window("b", 1), new Window("c", 1));
        assertEquals("b", Median.pick(equal, Window::value).orElseThrow().name(), "the middle of three equals");
        List<Window> gap = List.of(new Window("a", Double.NaN), new Window("b", 5), new Window("c", 9));
        assertEquals("b", Median.pick(gap, Window::value).orElseThrow().name());
        assertEquals(Optional.empty(), Median.pick(List.of(new Window("a", Double.NaN)), Window::value));
    }

    @Test
    @DisplayName("picks among histograms by their p95")
    void histograms() {
        Histogram fast = HistogramTest.histogram(0.1, 90, 0.25, 99, 0.5, 100, Double.POSITIVE_INFINITY, 100);
        Histogram usual = HistogramTest.histogram(0.1, 60, 0.25, 90, 0.5, 100, Double.POSITIVE_INFINITY, 100);
        Histogram slow = HistogramTest.histogram(0.1, 10, 0.25, 50, 0.5, 90, Double.POSITIVE_INFINITY, 100);
        assertEquals(usual, Median.pick(List.of(slow, fast, usual), h -> h.quantile(0.95)).orElseThrow());
    }
}
