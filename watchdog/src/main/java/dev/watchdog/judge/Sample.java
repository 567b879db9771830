package dev.watchdog.judge;

import dev.watchdog.core.Series;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one query of a rule gave at one time: the expression's series and, for a rule with
 * {@code total:} (a ratio), the total's series, {@code totals} (null otherwise).
 */
public record Sample(List<Series> series, @Nullable List<Series> totals) {

    public Sample {
        series = List.copyOf(series);
        totals = totals == null ? null : List.copyOf(totals);
    }

    public static Sample of(List<Series> series) {
        return new Sample(series, null);
    }
}
