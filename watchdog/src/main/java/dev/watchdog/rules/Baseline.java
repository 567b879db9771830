package dev.watchdog.rules;

import dev.watchdog.core.Durations;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a rule compares the release with: the same expression before the release started
 * ({@code before-release}, optionally averaged over a span before it: {@code before-release 1h}),
 * or at the same clock time earlier ({@code offset 1d}, {@code offset 7d}).
 */
public record Baseline(Kind kind, Duration span, String text) {

    /** Where the baseline comes from. */
    public enum Kind { BEFORE_RELEASE, OFFSET }

    public static Baseline parse(String text) {
        String[] words = text.trim().split("\\s+");
        if (words[0].equals("before-release") && words.length <= 2) {
            Duration span = words.length == 1 ? Duration.ZERO : Durations.parse(words[1]);
            return new Baseline(Kind.BEFORE_RELEASE, span, text.trim());
        }
        if (words[0].equals("offset") && words.length == 2) {
            Duration offset = Durations.parse(words[1]);
            if (offset.isZero()) {
                throw new IllegalArgumentException("an offset baseline needs a positive offset");
            }
            return new Baseline(Kind.OFFSET, offset, text.trim());
        }
        throw new IllegalArgumentException("'" + text + "' is not a baseline (expected before-release, "
                + "before-release 1h, offset 1d or offset 7d)");
    }

    /**
     * The query that measures the baseline of {@code query} at the release's start, when it is
     * averaged over a span before it ({@code before-release 1h}), or null: otherwise the query
     * itself is sent at an earlier time.
     */
    public @Nullable String averaged(String query, Duration step) {
        return kind == Kind.BEFORE_RELEASE && !span.isZero()
                ? "avg_over_time((" + query + ")[" + Durations.format(span) + ":" + Durations.format(step) + "])" : null;
    }

    /** Fixed for the whole release (before-release), or moving with each evaluation (offset). */
    public boolean fixed() {
        return kind == Kind.BEFORE_RELEASE;
    }
}
