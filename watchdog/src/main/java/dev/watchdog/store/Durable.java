package dev.watchdog.store;

import dev.watchdog.core.Outcome;
import dev.watchdog.judge.RuleState;
import dev.watchdog.machine.Watch;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What of a release must reach the store when it changes, and what may stay in memory until its
 * next change. A quiet rule (ok, waiting, inconclusive, or in error) is read again every tick, and
 * its latest reading decides nothing: its value, baseline and series, its offset baseline's result,
 * when it was last evaluated, and its message (but an error's) are kept in memory, written with the
 * release's next change, and after a restart read again at the first tick. Everything the state
 * machine decides from is written when it changes: the outcome and since when, the latched level and
 * the clocks of {@code for}, whether the rule was ever judged, a before-release baseline once it is
 * known, what a rule with a test keeps and what its test found (its next look reads it), an error's
 * message; the release itself, its incident, rollback, verification, what was announced and what its
 * rules saw before it. A rule in breach (pending, P1, P0) has every reading written, so that every
 * replica shows its values. Pure.
 */
final class Durable {

    private Durable() {}

    /** Whether writing {@code after} over {@code before} would change nothing that must be durable. */
    static boolean same(@Nullable Watch before, Watch after) {
        if (before == null) {
            return false;
        }
        return before.release().equals(after.release())
                && Objects.equals(before.incident(), after.incident())
                && Objects.equals(before.rollback(), after.rollback())
                && Objects.equals(before.verification(), after.verification())
                && before.announced().equals(after.announced())
                && Objects.equals(before.before(), after.before())
                && sameRules(before.rules(), after.rules());
    }

    private static boolean sameRules(Map<String, RuleState> before, Map<String, RuleState> after) {
        if (before.size() != after.size()) {
            return false;
        }
        for (Map.Entry<String, RuleState> e : before.entrySet()) {
            RuleState other = after.get(e.getKey());
            if (other == null || !same(e.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    static boolean same(RuleState a, RuleState b) {
        if (a.outcome() != b.outcome() || !quiet(a.outcome())) {
            return a.equals(b);
        }
        return a.rule().equals(b.rule()) && a.level() == b.level()
                && Objects.equals(a.since(), b.since())
                && Objects.equals(a.p1Since(), b.p1Since())
                && Objects.equals(a.p0Since(), b.p0Since())
                && Objects.equals(a.healthySince(), b.healthySince())
                && (a.judgedAt() == null) == (b.judgedAt() == null)
                && (a.baselines() == null) == (b.baselines() == null)
                && Objects.equals(a.kept(), b.kept())
                && Objects.equals(a.evidence(), b.evidence())
                && (a.outcome() != Outcome.ERROR || Objects.equals(a.message(), b.message()));
    }

    private static boolean quiet(Outcome outcome) {
        return outcome == Outcome.OK || outcome == Outcome.WAITING || outcome == Outcome.INCONCLUSIVE
                || outcome == Outcome.ERROR;
    }
}
