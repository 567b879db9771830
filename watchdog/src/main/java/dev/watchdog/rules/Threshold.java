package dev.watchdog.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A threshold such as {@code "> 0.05"}: a comparison against a number, written as the rule file has it. */
public record Threshold(Op op, double value, String text) {

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
        if (!m.group(3).isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is relative to a baseline, and baselines are not supported yet");
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
        return new Threshold(Op.of(m.group(1)), value, text.trim());
    }

    /** Whether a measured value breaches this threshold. */
    public boolean breachedBy(double measured) {
        return switch (op) {
            case GT -> measured > value;
            case GE -> measured >= value;
            case LT -> measured < value;
            case LE -> measured <= value;
            case EQ -> measured == value;
            case NE -> measured != value;
        };
    }

    int direction() {
        return op.direction();
    }

    @Override
    public String toString() {
        return text;
    }
}
