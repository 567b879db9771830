package dev.watchdog.api;

import dev.watchdog.core.Durations;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** Query parameters read within bounds: out of them, or not parsing, a 400 naming the parameter, never a 500. */
final class Params {

    private Params() {}

    /** A duration in Prometheus notation from 0 to {@code max}; 0 when absent; else a 400 naming the parameter. */
    static Duration duration(RoutingContext ctx, String name, Duration max) {
        String text = ctx.queryParams().get(name);
        try {
            Duration d = text == null ? Duration.ZERO : Durations.parse(text);
            if (d.compareTo(max) <= 0) {
                return d;
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // said below; a number too large to count is no duration either
        }
        throw ApiException.badInput(name, name + " must be a duration from 0 to " + Durations.format(max)
                + " in Prometheus notation, such as 30s or 5m");
    }

    /** A whole number from {@code min} to {@code max}; {@code fallback} when absent. */
    static int integer(RoutingContext ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParams().get(name);
        try {
            int n = text == null ? fallback : Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badInput(name, name + " must be a whole number from " + min + " to " + max);
    }
}
