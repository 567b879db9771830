package dev.watchdog.core;

import java.util.Map;

/** One series of a query result: its labels and its value. */
public record Series(Map<String, String> labels, double value) {
    public Series {
        labels = Ordered.sorted(labels);
    }
}
