package dev.watchdog.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.rules.Threshold;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class UnitsTest {

    @ParameterizedTest(name = "{0} {1} reads \"{2}\"")
    @DisplayName("fixed values read as people expect, in every unit")
    @CsvSource(delimiter = '|', textBlock = """
            NONE    | 390.0004        | 390
            NONE    | 540.2           | 540
            NONE    | 100.01          | 100
            NONE    | 22.22222222222  | 22.2
            NONE    | 0               | 0
            NONE    | -0.0            | 0
            NONE    | -390.0004       | -390
            NONE    | -0.0123456      | -0.0123
            NONE    | 0.1             | 0.1
            NONE    | 999.6           | 1000
            NONE    | 12345.6         | 12346
            NONE    | 1234567         | 1.23e6
            NONE    | 1e12            | 1e12
            NONE    | 0.000012345     | 1.23e-5
            NONE    | 0.00012         | 0.00012
            NONE    | 999499          | 999499
            NONE    | 1000000         | 1e6
            NONE    | 0.0001          | 0.0001
            NONE    | 0.0000999       | 9.99e-5
            COUNT   | 3               | 3
            SECONDS | 0.39            | 390 ms
            SECONDS | 0.3900004       | 390 ms
            SECONDS | 0.5402          | 540 ms
            SECONDS | 2.5             | 2.5 s
            SECONDS | 0.9996          | 1 s
            SECONDS | 0               | 0 s
            SECONDS | -0.25           | -250 ms
            SECONDS | 0.0000015       | 1.5 µs
            SECONDS | 0.000000001     | 1 ns
            SECONDS | 1e-12           | 0.001 ns
            RATIO   | 0.073           | 7.3 %
            RATIO   | 0.0029123       | 0.291 %
            RATIO   | 0.001           | 0.1 %
            RATIO   | 1               | 100 %
            RATIO   | -0.2            | -20 %
            PERCENT | 99.9            | 99.9 %
            BYTES   | 1610612736      | 1.5 GiB
            BYTES   | 1023.9          | 1 KiB
            BYTES   | 500             | 500 B
            BYTES   | 1e12            | 931 GiB
            BYTES   | -2048           | -2 KiB
            BYTES   | 1e25            | 8.67e6 EiB
            """)
    void fixed(Unit unit, double value, String shown) {
        assertEquals(shown, Units.format(unit, value));
    }

    @Test
    @DisplayName("no data, NaN and infinities are named, not shown as numbers")
    void special() {
        assertEquals("no data", Units.format(Unit.SECONDS, null));
        assertEquals("NaN", Units.format(Unit.RATIO, Double.NaN));
        assertEquals("+Inf", Units.format(Unit.SECONDS, Double.POSITIVE_INFINITY));
        assertEquals("-Inf", Units.format(Unit.NONE, Double.NEGATIVE_INFINITY));
        assertEquals("-Inf", Units.format(Unit.BYTES, Double.NEGATIVE_INFINITY));
        assertEquals("+Inf", Units.number(Double.POSITIVE_INFINITY));
        assertEquals("NaN", Units.number(Double.NaN));
    }

    @Test
    @DisplayName("thresholds read in the rule's unit")
    void thresholds() {
        assertEquals("> 5 %", Threshold.inUnit(Unit.RATIO, "> 0.05"));
        assertEquals("> 390 ms", Threshold.inUnit(Unit.SECONDS, "> 0.39"));
        assertEquals("<= 99.9 %", Threshold.inUnit(Unit.PERCENT, "<= 99.9"));
        assertEquals("< -20%", Threshold.inUnit(Unit.NONE, "< -20%"), "relative thresholds keep their text");
        assertEquals("above 5", Threshold.inUnit(Unit.RATIO, "above 5"),
                "a threshold that cannot be read is shown as written");
    }

    @ParameterizedTest
    @EnumSource(Unit.class)
    @DisplayName("from 1e-9 to 1e12, either sign: what is shown parses back within the rounding it claims, in 3 digits")
    void parsesBack(Unit unit) {
        Random random = new Random(20261121L + unit.ordinal());
        for (int i = 0; i < 20_000; i++) {
            double magnitude = Math.pow(10, -9 + 21 * random.nextDouble());
            double value = random.nextBoolean() ? magnitude : -magnitude;
            String shown = Units.format(unit, value);
            Shown parsed = Shown.parse(unit, shown);
            assertTrue(Math.abs(parsed.value() - value) <= parsed.tolerance() + 1e-12 * Math.abs(value),
                    value + " shown as \"" + shown + "\" reads back as " + parsed.value());
            assertTrue(parsed.digits() <= 3 || parsed.wholeBelowAMillion(), "\"" + shown + "\" has more than 3 digits");
        }
    }

    /** A shown value read back: its value in the base unit, half a unit of its third digit, its digits. */
    record Shown(double value, double tolerance, int digits, boolean wholeBelowAMillion) {

        static final Map<String, Double> SCALES = Map.ofEntries(Map.entry("s", 1.0), Map.entry("ms", 1e-3),
                Map.entry("µs", 1e-6), Map.entry("ns", 1e-9), Map.entry("B", 1.0), Map.entry("KiB", 1024.0),
                Map.entry("MiB", Math.pow(1024, 2)), Map.entry("GiB", Math.pow(1024, 3)),
                Map.entry("TiB", Math.pow(1024, 4)), Map.entry("PiB", Math.pow(1024, 5)),
                Map.entry("EiB", Math.pow(1024, 6)));

        static Shown parse(Unit unit, String shown) {
            String[] parts = shown.split(" ");
            double scale = switch (unit) {
                case RATIO -> expect(parts, "%", 0.01);
                case PERCENT -> expect(parts, "%", 1);
                case SECONDS, BYTES -> SCALES.get(parts[1]);
                case COUNT, NONE -> expect(parts, null, 1);
            };
            BigDecimal number = new BigDecimal(parts[0]);
            boolean whole = !parts[0].contains("e") && number.abs().compareTo(BigDecimal.valueOf(1000)) >= 0;
            double half = whole ? 0.5 : 0.5 * Math.pow(10, Math.floor(Math.log10(number.abs().doubleValue())) - 2);
            int digits = number.stripTrailingZeros().precision();
            return new Shown(number.doubleValue() * scale, half * scale, digits, whole);
        }

        private static double expect(String[] parts, String suffix, double scale) {
            assertEquals(suffix == null ? 1 : 2, parts.length, String.join(" ", parts));
            if (suffix != null) {
                assertEquals(suffix, parts[1]);
            }
            return scale;
        }
    }
}
