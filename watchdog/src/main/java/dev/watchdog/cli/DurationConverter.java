package dev.watchdog.cli;

import dev.watchdog.core.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line in Prometheus notation; a mistyped one is a usage error that says what to write. */
final class DurationConverter implements ITypeConverter<Duration> {

    static final String EXAMPLES = "Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d";
    private static final Pattern SPELLED = Pattern.compile("(\\d+)\\s*([a-zA-Z]+)");
    private static final Map<String, String> UNITS = Map.ofEntries(
            Map.entry("sec", "s"), Map.entry("secs", "s"), Map.entry("second", "s"), Map.entry("seconds", "s"),
            Map.entry("min", "m"), Map.entry("mins", "m"), Map.entry("minute", "m"), Map.entry("minutes", "m"),
            Map.entry("hr", "h"), Map.entry("hrs", "h"), Map.entry("hour", "h"), Map.entry("hours", "h"),
            Map.entry("day", "d"), Map.entry("days", "d"), Map.entry("week", "w"), Map.entry("weeks", "w"),
            Map.entry("H", "h"), Map.entry("M", "m"), Map.entry("S", "s"), Map.entry("D", "d"));

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is too long a duration");
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a duration" + suggestion(value) + " (" + EXAMPLES + ")");
        }
    }

    /** "; did you mean 45m?" for a number with a unit spelled out, or nothing. */
    private static String suggestion(String value) {
        Matcher m = SPELLED.matcher(value.trim());
        if (!m.matches()) {
            return "";
        }
        String unit = UNITS.get(m.group(2).length() == 1 ? m.group(2) : m.group(2).toLowerCase(java.util.Locale.ROOT));
        return unit == null ? "" : "; did you mean " + m.group(1) + unit + "?";
    }
}
