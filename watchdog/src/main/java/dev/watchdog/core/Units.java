package dev.watchdog.core;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * Values as people read them, in a rule's unit: {@code 0.073} as {@code 7.3 %} for a ratio, {@code 0.39}
 * as {@code 390 ms}. Every number is rounded to three significant digits (whole numbers from 1000 on are
 * shown to the unit), so that what is shown is within half a unit of its last digit of the value.
 */
public final class Units {

    private static final int DIGITS = 3;
    private static final MathContext ROUND = new MathContext(DIGITS, RoundingMode.HALF_EVEN);
    /** From here on a whole number would be too long to read at a glance: 1.23e6. */
    private static final double LARGE = 1e6;
    /** Below this, zeros after the point would outnumber the digits: 1.2e-5. */
    private static final double SMALL = 1e-4;
    private static final String[] SECONDS = {"s", "ms", "µs", "ns"};
    private static final String[] BYTES = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Units() {}

    public static String format(Unit unit, @Nullable Double value) {
        if (value == null) {
            return "no data";
        }
        if (value.isNaN() || value.isInfinite()) {
            return number(value);
        }
        return switch (unit) {
            case RATIO -> number(value * 100) + " %";
            case PERCENT -> number(value) + " %";
            case SECONDS -> seconds(value);
            case BYTES -> bytes(value);
            case COUNT, NONE -> number(value);
        };
    }

    /**
     * A number for people: three significant digits ({@code 0.39}, {@code 7.3}, {@code 390}), whole
     * numbers from 1000 to a million ({@code 12346}), and {@code 1.23e6} / {@code 1.2e-5} beyond.
     */
    public static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.isNaN(v) ? "NaN" : v == Double.POSITIVE_INFINITY ? "+Inf" : "-Inf";
        }
        BigDecimal shown = shown(v);
        if (shown.signum() == 0) {
            return "0";
        }
        double magnitude = shown.abs().doubleValue();
        return magnitude >= LARGE || magnitude < SMALL ? scientific(shown) : shown.stripTrailingZeros().toPlainString();
    }

    /** The value as {@link #number} shows it: three significant digits, or whole from 1000 to a million. */
    private static BigDecimal shown(double v) {
        BigDecimal rounded = new BigDecimal(v).round(ROUND);
        double magnitude = rounded.abs().doubleValue();
        return magnitude >= 1000 && magnitude < LARGE ? new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN) : rounded;
    }

    private static double magnitude(double v) {
        return shown(v).abs().doubleValue();
    }

    /** {@code 1.23e6}: Java reads it back, and so do people. */
    private static String scientific(BigDecimal rounded) {
        BigDecimal r = rounded.stripTrailingZeros();
        int exponent = r.precision() - r.scale() - 1;
        return r.movePointLeft(exponent).toPlainString() + "e" + exponent;
    }

    /** The largest of s, ms, µs, ns that the rounded value reaches: 0.9996 s is "1 s", not "1000 ms". */
    private static String seconds(double v) {
        double scale = 1;
        int i = 0;
        while (i < SECONDS.length - 1 && magnitude(v / scale) < 1 && v != 0) {
            scale /= 1000;
            i++;
        }
        return number(v / scale) + " " + SECONDS[i];
    }

    /** Powers of 1024, going up while the rounded value would read 1024 or more. */
    private static String bytes(double v) {
        int i = 0;
        while (i < BYTES.length - 1 && magnitude(v) >= 1024) {
            v /= 1024;
            i++;
        }
        return number(v) + " " + BYTES[i];
    }
}
