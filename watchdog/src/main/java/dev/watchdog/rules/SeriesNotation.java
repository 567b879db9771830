package dev.watchdog.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * promtool's expanding notation for test series: {@code 1 2 3}, {@code 0+10x60} (0, 10, ..., 600),
 * {@code 100-1x5}, {@code 5x3} (5 four times), {@code _} (no sample), {@code _x3} (three gaps),
 * {@code stale} (read as a gap: a backfilled file cannot hold staleness markers).
 */
public final class SeriesNotation {

    /** {@code START[+-STEP]xN}: START, START+STEP, ..., START+N*STEP. */
    private static final Pattern REPEAT = Pattern.compile(
            "([+-]?(?:[0-9.]+(?:[eE][+-]?[0-9]+)?|Inf|NaN))(?:([+-])([0-9.]+(?:[eE][+-]?[0-9]+)?))?x(\\d+)");

    private SeriesNotation() {}

    /** One value per step; null where there is no sample. */
    public static List<Double> expand(String values) {
        List<Double> out = new ArrayList<>();
        for (String token : values.trim().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            expandToken(token, out);
        }
        return out;
    }

    /**
     * Series in OpenMetrics text, as promtool backfills it: grouped by metric, one sample per step from
     * {@code origin}, timestamps in seconds, ending in {@code # EOF}. Keys are series
     * ({@code name{labels}}), values in this notation.
     */
    public static String openMetrics(Map<String, String> series, Instant origin, Duration step) {
        Map<String, List<String>> byMetric = new TreeMap<>();
        series.forEach((name, values) -> {
            String s = name.trim();
            String metric = s.contains("{") ? s.substring(0, s.indexOf('{')) : s;
            List<Double> expanded = expand(values);
            for (int i = 0; i < expanded.size(); i++) {
                if (expanded.get(i) != null) {
                    byMetric.computeIfAbsent(metric, k -> new ArrayList<>())
                            .add(s + " " + format(expanded.get(i)) + " " + origin.plus(step.multipliedBy(i)).getEpochSecond());
                }
            }
        });
        StringBuilder out = new StringBuilder();
        byMetric.values().forEach(lines -> lines.forEach(l -> out.append(l).append('\n')));
        return out.append("# EOF\n").toString();
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : String.valueOf(v);
    }

    private static void expandToken(String token, List<Double> out) {
        if (token.equals("_") || token.equals("stale")) {
            out.add(null);
            return;
        }
        if (token.startsWith("_x")) {
            int n = Integer.parseInt(token.substring(2));
            for (int i = 0; i < n; i++) {
                out.add(null);
            }
            return;
        }
        Matcher m = REPEAT.matcher(token);
        if (m.matches()) {
            double start = number(m.group(1), token);
            double step = m.group(2) == null ? 0 : number(m.group(2) + m.group(3), token);
            int n = Integer.parseInt(m.group(4));
            for (int i = 0; i <= n; i++) {
                out.add(start + i * step);
            }
            return;
        }
        out.add(number(token, token));
    }

    private static double number(String text, String token) {
        try {
            return switch (text) {
                case "Inf", "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(text);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + token + "' is not a value in promtool's series notation "
                    + "(e.g. 1, 0+10x60, 100-1x5, _, _x3)");
        }
    }
}
