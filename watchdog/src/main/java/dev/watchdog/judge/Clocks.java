package dev.watchdog.judge;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.rules.Rule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The clocks of {@code for}: a breach counts once observed without a break for {@code for}, and a
 * counted breach is let go once health has been observed as long. Pure.
 */
final class Clocks {

    private Clocks() {}

    /**
     * {@code worst} was observed. {@code onset}: since when the data shows each severity's condition has
     * held, where it was looked up (the first evaluation that sees a breach): {@code for} counts from
     * there, not from now.
     */
    static RuleState observed(Rule rule, RuleState prev, Reading worst, List<Series> series, @Nullable String message,
                              Map<Severity, Instant> onset, Instant now) {
        Severity seen = worst.told();
        Duration hold = rule.judgement().forDuration();
        Instant p0Since = seen == Severity.P0 ? orNow(prev.p0Since(), onset.getOrDefault(Severity.P0, now)) : null;
        Instant p1Since = seen != Severity.NONE ? orNow(prev.p1Since(), onset.getOrDefault(Severity.P1, now)) : null;
        Instant healthySince = seen.compareTo(prev.level()) < 0 ? orNow(prev.healthySince(), now) : null;
        Severity level = prev.level();
        if (healthySince != null && Judge.held(healthySince, hold, now)) {
            level = seen;
            healthySince = null;
        }
        if (p0Since != null && Judge.held(p0Since, hold, now)) {
            level = Severity.P0;
        } else if (p1Since != null && Judge.held(p1Since, hold, now)) {
            level = level.worst(Severity.P1);
        }
        Outcome outcome = level == Severity.P0 ? Outcome.P0
                : seen.compareTo(level) > 0 ? Outcome.PENDING
                : level == Severity.P1 ? Outcome.P1
                : Outcome.OK;
        double value = worst.series().value();
        return new RuleState(prev.rule(), outcome, level, Double.isNaN(value) ? null : value, worst.baseline(),
                Judge.reported(series), prev.baselines(), message, outcome == prev.outcome() ? prev.since() : now, now,
                p1Since, p0Since, healthySince, now, worst.evidence(), prev.kept());
    }

    /** Nothing was observed: both clocks break, the level stays. */
    static RuleState unobserved(RuleState prev, Outcome outcome, @Nullable String message, @Nullable Evidence evidence,
                                Instant now) {
        return new RuleState(prev.rule(), outcome, prev.level(), null, null, List.of(), prev.baselines(), message,
                outcome == prev.outcome() ? prev.since() : now, now, null, null, null, prev.judgedAt(), evidence,
                prev.kept());
    }

    private static Instant orNow(@Nullable Instant since, Instant now) {
        return since == null ? now : since;
    }
}
