package dev.watchdog.rules;

import dev.watchdog.core.Unit;
import dev.watchdog.core.Units;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A threshold such as {@code "> 0.05"}: a comparison against a number, written as the rule file has
 * it. With a {@code %} it is relative to the baseline: {@code "> +10%"} breaches above 110 % of the
 * baseline, {@code "< -20%"} below 80 % of it.
 */
public record Threshold(Op op, double value, boolean relative, String text) {

    private static final Pattern FORMAT = Pattern.compile("\\s*(>=|<=|==|!=|>|<)\\s*([^\\s%]+)\\s*(%?)\\s*");

    /** The comparison operators of PromQL. */
    public enum Op {
        GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        static Op of(String symbol) {
            for (Op op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            throw new IllegalArgumentException(symbol);
        }

        /** +1 when higher values are worse, -1 when lower are, 0 when neither. */
        int direction() {
            return switch (this) {
                case GT, GE -> 1;
                case LT, LE -> -1;
                case EQ, NE -> 0;
            };
        }
    }

    /** Parses {@code "OP NUMBER"}, or throws {@link IllegalArgumentException} saying what is expected. */
    public static Threshold parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a threshold (expected \"OP NUMBER\" with OP one of > >= < <= == !=)");
        }
        double value;
        try {
            value = Double.parseDouble(m.group(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' does not end in a number");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("'" + text + "' must compare against a finite number");
        }
        return new Threshold(Op.of(m.group(1)), value, !m.group(3).isEmpty(), text.trim());
    }

    /** Whether a measured value breaches this absolute threshold. */
    public boolean breachedBy(double measured) {
        return compare(measured, value);
    }

    /**
     * Whether a measured value breaches this threshold against a baseline: true, false, or null when
     * it cannot be told (a relative threshold without a baseline, or with a baseline of zero).
     */
    public @Nullable Boolean breachedBy(double measured, @Nullable Double baseline) {
        Double limit = limit(baseline);
        return limit == null ? null : compare(measured, limit);
    }

    /** The value a measurement is compared with: the number itself, or for a relative threshold the baseline moved by it. */
    public @Nullable Double limit(@Nullable Double baseline) {
        if (!relative) {
            return value;
        }
        return baseline == null || baseline == 0 || baseline.isNaN() ? null : baseline * (1 + value / 100);
    }

    private boolean compare(double measured, double limit) {
        return switch (op) {
            case GT -> measured > limit;
            case GE -> measured >= limit;
            case LT -> measured < limit;
            case LE -> measured <= limit;
            case EQ -> measured == limit;
            case NE -> measured != limit;
        };
    }

    /** +1 when higher values are worse, -1 when lower are, 0 when neither. */
    public int direction() {
        return op.direction();
    }

    @Override
    public String toString() {
        return text;
    }

    /** A threshold in the rule's unit: {@code "> 0.05"} as {@code "> 5 %"}. */
    public static String inUnit(Unit unit, String text) {
        try {
            Threshold t = parse(text);
            if (t.relative()) {
                return text.trim();
            }
            String op = text.trim().replaceAll("[^<>=!].*$", "").trim();
            return op + " " + Units.format(unit, t.value());
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
