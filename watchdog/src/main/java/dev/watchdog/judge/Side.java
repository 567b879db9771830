package dev.watchdog.judge;

import dev.watchdog.stats.Histogram;

/**
 * One side of a comparison for one group of series: what a rule's shape measures over a window.
 * {@link Count}: a count (requests, orders). {@link Ratio}: events among a total (errors among
 * requests). {@link Distribution}: a histogram, read at the rule's quantile.
 */
sealed interface Side {

    /** The value people read: the count, the ratio, or the quantile. */
    double value();

    /** How much was measured: the count, the total, or the observations. */
    double exposure();

    /** A count over the window. */
    record Count(double count) implements Side {
        @Override
        public double value() {
            return count;
        }

        @Override
        public double exposure() {
            return count;
        }
    }

    /** {@code events} among {@code total}. */
    record Ratio(double events, double total) implements Side {
        @Override
        public double value() {
            return total > 0 ? events / total : Double.NaN;
        }

        @Override
        public double exposure() {
            return total;
        }
    }

    /** A histogram, read at {@code q}. */
    record Distribution(Histogram histogram, double q) implements Side {
        @Override
        public double value() {
            return histogram.quantile(q);
        }

        @Override
        public double exposure() {
            return histogram.total();
        }
    }
}
