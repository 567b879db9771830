package dev.watchdog.rules;

import java.time.Duration;
import java.util.List;

/**
 * An SLO burn-rate rule: the error ratio {@code errors / total} over a long and a short window,
 * divided by the error budget {@code 1 - objective}, is the burn rate; a pair breaches when both of
 * its windows burn above {@code burnRate}. Unless {@code beforeRelease: include}, a pair waits until the
 * release is as old as its short window, and its long window is clipped to the release's age.
 */
public record Slo(double objective, Template errors, Template total, List<Window> windows, boolean clip) {

    /**
     * The SRE workbook's paging pairs, 1h/5m at 14.4x and 6h/30m at 6x, both P1: a page is for people
     * to decide. A P0 pair is written out in the rule, at the burn rate of the error ratio that rolls back.
     */
    public static final List<Window> WORKBOOK = List.of(
            new Window(Duration.ofHours(1), Duration.ofMinutes(5), 14.4, false),
            new Window(Duration.ofHours(6), Duration.ofMinutes(30), 6, false));

    /** A window pair and the severity it stands for. */
    public record Window(Duration longWindow, Duration shortWindow, double burnRate, boolean p0) {}

    public double budget() {
        return 1 - objective;
    }
}
