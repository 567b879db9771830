package dev.watchdog.rules;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a rule asks Prometheus and how its answer reads: the expression ({@code expr}, null for an SLO
 * rule, which has {@code slo} instead), the shape of its answer, the guard and minimum traffic that must
 * hold before it is judged, the baseline it is compared with, and how often it is asked.
 */
public record Measure(
        @Nullable Template expr,
        Shape shape,
        Optional<Template> guard,
        Optional<MinTraffic> minTraffic,
        Optional<Baseline> baseline,
        Optional<Slo> slo,
        Optional<Duration> interval) {

    /** Judge only when {@code expr} (summed over its series) is at least {@code atLeast}. */
    public record MinTraffic(Template expr, double atLeast) {}
}
