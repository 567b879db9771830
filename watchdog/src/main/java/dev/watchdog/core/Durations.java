package dev.watchdog.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Durations in Prometheus notation: {@code 500ms}, {@code 15s}, {@code 1h30m}, {@code 1w}, {@code 0}. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile(
            "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
    private static final long[] MILLIS = {
        365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};

    private Durations() {}

    /** Parses a duration, or throws {@link IllegalArgumentException} saying what is expected. */
    public static Duration parse(@Nullable String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = FORMAT.matcher(s);
        if (s.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (expected Prometheus notation such as 30s, 5m, 1h30m)");
        }
        long total = 0;
        for (int i = 0; i < MILLIS.length; i++) {
            if (m.group(i + 1) != null) {
                total = Math.addExact(total, Math.multiplyExact(Long.parseLong(m.group(i + 1)), MILLIS[i]));
            }
        }
        return Duration.ofMillis(total);
    }

    /** Formats a duration back into the shortest Prometheus notation. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        String[] units = {"y", "w", "d", "h", "m", "s", "ms"};
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < MILLIS.length; i++) {
            if (ms >= MILLIS[i]) {
                out.append(ms / MILLIS[i]).append(units[i]);
                ms %= MILLIS[i];
            }
        }
        return out.toString();
    }
}
