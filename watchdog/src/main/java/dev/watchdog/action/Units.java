package dev.watchdog.action;

import dev.watchdog.rules.Rule.Unit;
import dev.watchdog.rules.Threshold;
import java.util.Locale;

/** Values as people read them, in a rule's unit: {@code 0.073} as {@code 7.3 %} for a ratio, {@code 0.85} as {@code 850 ms}. */
public final class Units {

    private Units() {}

    public static String format(Unit unit, Double value) {
        if (value == null) {
            return "no data";
        }
        if (value.isNaN() || value.isInfinite()) {
            return String.valueOf(value);
        }
        return switch (unit) {
            case RATIO -> number(value * 100) + " %";
            case PERCENT -> number(value) + " %";
            case SECONDS -> Math.abs(value) < 1 ? number(value * 1000) + " ms" : number(value) + " s";
            case BYTES -> bytes(value);
            case COUNT, NONE -> number(value);
        };
    }

    /** A threshold in the rule's unit: {@code "> 0.05"} as {@code "> 5 %"}. */
    public static String threshold(Unit unit, String text) {
        try {
            Threshold t = Threshold.parse(text);
            String op = text.trim().replaceAll("[^<>=!].*$", "").trim();
            return op + " " + format(unit, t.value());
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        String s = String.format(Locale.ROOT, "%.3g", v);
        return s.contains("e") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String bytes(double v) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int i = 0;
        while (Math.abs(v) >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return number(v) + " " + units[i];
    }
}
