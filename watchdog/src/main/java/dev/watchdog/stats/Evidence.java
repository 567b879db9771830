package dev.watchdog.stats;

/**
 * What a comparison of the new side with a reference found, valid at every look of a watch.
 *
 * @param effect the relative change, new against reference: +0.14 is 14 % higher, -0.2 a fifth lower
 *     (NaN when neither side has anything to compare, +Infinity over a reference of zero)
 * @param interval the effect's confidence sequence: each end a one-sided (1 - alpha) bound, valid at
 *     every look at once (both ends together: 1 - 2 alpha). A test for {@code MORE} rejects exactly
 *     when the lower end passes the margin; for {@code FEWER} when the upper end falls below it
 * @param counts the counts behind it
 * @param eValue the evidence against "no change beyond the margin": the procedure rejects when it
 *     reaches 1/alpha, and under that null hypothesis it does so with probability at most alpha over a
 *     whole watch, however often it is looked at
 * @param alpha the level it was tested at
 * @param rejects whether eValue has reached 1/alpha
 */
public record Evidence(double effect, Interval interval, Counts counts, double eValue, double alpha, boolean rejects) {

    /**
     * The counts of each side. Rates: the events and exposures (errors and requests). Quantile
     * shift: the observations above the threshold tested at, and all observations.
     */
    public record Counts(double events, double exposure, double referenceEvents, double referenceExposure) {}

    /** min(1, 1/eValue) at this look; the anytime-valid p-value is its minimum over the looks, kept by the caller. */
    public double pValue() {
        return Math.min(1, 1 / eValue);
    }
}
