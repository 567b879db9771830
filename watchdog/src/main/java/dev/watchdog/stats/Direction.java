package dev.watchdog.stats;

/**
 * The change a one-sided test looks for. {@code MORE}: the null hypothesis is "p <= p0" (errors,
 * latency), rejected by evidence of p > p0; {@code FEWER}: "p >= p0" (throughput, business counts),
 * rejected by evidence of p < p0.
 */
public enum Direction {
    MORE,
    FEWER
}
