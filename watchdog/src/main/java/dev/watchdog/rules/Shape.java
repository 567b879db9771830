package dev.watchdog.rules;

/**
 * How a rule's answer reads. {@link Value}: each series is a value. {@link Ratio}: {@code expr} counts
 * events (errors) and {@code total} what they are counted among (requests); the value is their ratio,
 * series matched by their labels. {@link Quantile}: {@code expr} gives a classic histogram's cumulative
 * bucket counts (series with an {@code le} label); the value is its quantile, as histogram_quantile
 * reads it.
 */
public sealed interface Shape {

    /** One value per series: the expression as it stands. */
    Shape VALUE = new Value();

    /** Each series is the value. */
    record Value() implements Shape {}

    /** {@code expr} over {@code total}, per series of the same labels. */
    record Ratio(Template total) implements Shape {}

    /** The {@code q}-quantile of the histogram whose buckets {@code expr} gives. */
    record Quantile(double q) implements Shape {

        /** "p95", "p99.9": how people name the quantile. */
        public String label() {
            String percent = new java.math.BigDecimal(Double.toString(q * 100)).stripTrailingZeros().toPlainString();
            return "p" + percent;
        }
    }
}
