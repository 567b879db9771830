package dev.watchdog.judge;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.watchdog.core.Units;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a statistical rule's test found at one evaluation, as people read it: "p95 +14 % [+9 %, +19 %]
 * against the hour before; 2310 and 4020 requests".
 *
 * @param quantity what was compared: "p95" (a histogram's quantile), "ratio" (errors over requests) or "count"
 * @param effect the change, new against reference: 0.14 is 14 % higher
 * @param lower the interval's lower end (null: unbounded); valid at every look of the watch at once
 * @param upper the interval's upper end (null: unbounded)
 * @param against what the release was compared with: "the hour before", "the previous version (1.9.0)"
 * @param count the new side's requests, observations or counts
 * @param referenceCount the reference's
 * @param events for a ratio, the new side's events (errors); null otherwise
 * @param referenceEvents for a ratio, the reference's events
 * @param share against the previous version, the new version's share of the traffic; null otherwise
 * @param dispersion how many times more the counts vary than independent events would (1: not more)
 * @param margin the change the test has to rule out before a breach counts: a quarter of the threshold
 * @param eValue the evidence against a change of at most {@code margin}; at least 1/significance rejects it
 * @param significance the level it is tested at, over the whole watch
 * @param rejects whether the test rules out a change of at most {@code margin}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Evidence(
        String quantity,
        double effect,
        @Nullable Double lower,
        @Nullable Double upper,
        String against,
        double count,
        double referenceCount,
        @Nullable Double events,
        @Nullable Double referenceEvents,
        @Nullable Double share,
        double dispersion,
        double margin,
        double eValue,
        double significance,
        boolean rejects) {

    /** "p95 +14 % [+9 %, +19 %] against the hour before; 2310 and 4020 requests". */
    @JsonIgnore
    public String text() {
        List<String> parts = new ArrayList<>();
        parts.add(quantity + " " + percent(effect) + " [" + (lower == null ? "-Inf" : percent(lower)) + ", "
                + (upper == null ? "+Inf" : percent(upper)) + "] against " + against);
        if (events != null && referenceEvents != null) {
            parts.add(Units.number(events) + " of " + Units.number(count) + " and " + Units.number(referenceEvents)
                    + " of " + Units.number(referenceCount) + " requests");
        } else if (quantity.equals("count")) {
            parts.add(Units.number(count) + " against " + Units.number(referenceCount));
        } else {
            parts.add(Units.number(count) + " and " + Units.number(referenceCount) + " requests");
        }
        if (share != null) {
            parts.add("the new version has " + Units.number(share * 100) + " % of the traffic");
        }
        return String.join("; ", parts);
    }

    /** "+14 %", "-2.5 %", "0 %": a relative change signed, in percent. */
    public static String percent(double change) {
        String number = Units.number(change * 100);
        return (change > 0 && !number.startsWith("+") ? "+" : "") + number + " %";
    }
}
