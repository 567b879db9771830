package dev.watchdog.stats;

/**
 * A count of events over an exposure: errors over requests, orders over hours. Counts may be
 * fractional, as Prometheus's {@code increase()} extrapolates them.
 */
public record Rate(double events, double exposure) {

    public Rate {
        if (!(events >= 0) || Double.isInfinite(events)) {
            throw new IllegalArgumentException("events must be finite and not negative: " + events);
        }
        if (!(exposure > 0) || Double.isInfinite(exposure)) {
            throw new IllegalArgumentException("exposure must be positive and finite: " + exposure);
        }
    }

    public double value() {
        return events / exposure;
    }
}
