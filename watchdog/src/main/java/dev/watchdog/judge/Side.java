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

    /**
     * The sampling variance of ln(value) for independent events (times the dispersion for real ones):
     * Poisson for a count and a ratio's two counts, the delta method for a quantile. Infinite when
     * nothing was counted.
     */
    double logVariance();

    /**
     * The same side with its value times {@code factor} (a reference day set to today's level): a
     * count's count, a ratio's events (at most its total), a histogram's bounds.
     */
    Side scaled(double factor);

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

        @Override
        public double logVariance() {
            return count > 0 ? 1 / count : Double.POSITIVE_INFINITY;
        }

        @Override
        public Side scaled(double factor) {
            return new Count(count * factor);
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

        @Override
        public double logVariance() {
            return events > 0 && total > 0 ? 1 / events + 1 / total : Double.POSITIVE_INFINITY;
        }

        @Override
        public Side scaled(double factor) {
            return new Ratio(Math.min(events * factor, total), total);
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

        /** q (1 - q) / n times (d ln Q / dq)², the slope read from the histogram about q. */
        @Override
        public double logVariance() {
            double n = histogram.total();
            double h = Math.min(0.01, Math.min(q, 1 - q) / 2);
            double slope = (Math.log(histogram.quantile(q + h)) - Math.log(histogram.quantile(q - h))) / (2 * h);
            double v = q * (1 - q) / n * slope * slope;
            return n > 0 && Double.isFinite(v) ? v : Double.POSITIVE_INFINITY;
        }

        @Override
        public Side scaled(double factor) {
            return new Distribution(histogram.scaled(factor), q);
        }
    }
}
