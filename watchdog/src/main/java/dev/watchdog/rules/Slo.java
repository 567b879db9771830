package dev.watchdog.rules;

import java.time.Duration;
import java.util.List;

/**
 * An SLO burn-rate rule: the error ratio {@code errors / total} over a long and a short window,
 * divided by the error budget {@code 1 - objective}, is the burn rate; a pair breaches when both of
 * its windows burn at least {@code burnRate}. Windows that would reach back before the release are
 * clipped to its age unless {@code beforeRelease: include}.
 */
public record Slo(double objective, Template errors, Template total, List<Window> windows, boolean clip) {

    /** The SRE workbook's paging pairs: 1h/5m at 14.4x (P0 here) and 6h/30m at 6x (P1 here). */
    public static final List<Window> WORKBOOK = List.of(
            new Window(Duration.ofHours(1), Duration.ofMinutes(5), 14.4, true),
            new Window(Duration.ofHours(6), Duration.ofMinutes(30), 6, false));

    /** A window pair and the severity it stands for. */
    public record Window(Duration longWindow, Duration shortWindow, double burnRate, boolean p0) {}

    public double budget() {
        return 1 - objective;
    }
}
