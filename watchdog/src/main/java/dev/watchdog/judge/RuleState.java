package dev.watchdog.judge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.watchdog.core.Ordered;
import dev.watchdog.core.Outcome;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where one rule stands for one release. {@code level} is the latched severity: it rises only after
 * the condition has held for {@code for}, and falls only after health has held as long. The three
 * clocks say since when each condition has held without a break. {@code baseline} is the worst
 * series' baseline; {@code baselines} the baseline's whole result, kept so that a before-release
 * baseline is queried once and then stays what it was. {@code judgedAt}: the last time there was
 * something to judge (null: never), which tells a release nobody could judge from a healthy one.
 * {@code evidence}: what a statistical rule's test found at this evaluation (null for other rules);
 * {@code kept}: what such a rule keeps for the whole release.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuleState(
        String rule,
        Outcome outcome,
        Severity level,
        @Nullable Double value,
        @Nullable Double baseline,
        List<Series> series,
        @Nullable List<Series> baselines,
        @Nullable String message,
        Instant since,
        @Nullable Instant evaluatedAt,
        @Nullable Instant p1Since,
        @Nullable Instant p0Since,
        @Nullable Instant healthySince,
        @Nullable Instant judgedAt,
        @Nullable Evidence evidence,
        @Nullable Kept kept) {

    /**
     * What a statistical rule asks once and keeps: its before-release baseline's totals (its series are
     * {@code baselines}), the dispersion of its counts measured before the release, and each reference
     * day's level against today's in the hours before the release, by the offset's text ("1d").
     */
    public record Kept(@Nullable List<Series> totals, @Nullable Double dispersion, @Nullable Map<String, Level> levels) {
        public Kept {
            levels = levels == null ? null : Ordered.sorted(levels);
        }
    }

    /**
     * How much higher today was than a reference day in the hours before the release: {@code change} is
     * ln(today's value / the day's), all the rule's series of the release together; {@code variance} its
     * sampling variance for independent events (times the dispersion for real ones).
     */
    public record Level(double change, double variance) {}

    public RuleState {
        series = series == null ? List.of() : List.copyOf(series);
        baselines = baselines == null ? null : List.copyOf(baselines);
        level = level == null ? Severity.NONE : level;
    }

    /** A rule not yet evaluated. */
    public static RuleState initial(String rule, Instant now) {
        return new RuleState(rule, Outcome.WAITING, Severity.NONE, null, null, List.of(), null, null, now, null,
                null, null, null, null, null, null);
    }

    /**
     * Whether the rule has ever had something to judge. A state stored before {@code judgedAt} was
     * kept counts as judged when its outcome says so.
     */
    public boolean everJudged() {
        return judgedAt != null || outcome == Outcome.OK || outcome == Outcome.PENDING || outcome == Outcome.P1
                || outcome == Outcome.P0;
    }
}
