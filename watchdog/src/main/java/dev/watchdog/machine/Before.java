package dev.watchdog.machine;

import dev.watchdog.core.Severity;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.Observation;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the release's rules saw when it was registered, on the service as it stood before the new
 * version could be blamed: the breaches already there (a hotfix into an outage), and the rules that
 * had nothing at all to judge (a mistyped service, labels the rules do not select). {@code error}:
 * why nothing could be seen (Prometheus did not answer), or null.
 */
public record Before(List<Breach> breaching, List<String> nothingToJudge, int judged, @Nullable String error) {

    public Before {
        breaching = List.copyOf(breaching);
        nothingToJudge = List.copyOf(nothingToJudge);
    }

    /**
     * Judges each rule once on what it saw, in the rule files' order; {@code for} does not apply to one
     * look. A rule that counts since the release (all rules with a test do) has nothing to see before it,
     * and is left out: neither judged nor without data; so is a rule judged only from a later point
     * ({@code after}), which is not yet in force. Null when no rule looked.
     */
    static @Nullable Before of(RuleSet rules, Map<String, Observation> seen) {
        List<Breach> breaching = new ArrayList<>();
        List<String> nothing = new ArrayList<>();
        int judged = 0;
        String error = null;
        for (Rule rule : rules.rules()) {
            Observation o = seen.get(rule.name());
            if (o == null || rule.cumulative() || !rule.judgement().after().isZero()) {
                continue;
            }
            if (o instanceof Observation.Failed f) {
                error = error == null ? f.message() : error;
            } else if (o instanceof Observation.Burn b) {
                judged++;
                add(breaching, rule, b.severity(), b.value(), null);
            } else if (o instanceof Observation.Values v && !v.series().isEmpty()) {
                judged++;
                Judge.once(rule, v).ifPresent(look -> add(breaching, rule, look.severity(), look.value(), look.baseline()));
            } else {
                nothing.add(rule.name());
            }
        }
        boolean looked = judged > 0 || !nothing.isEmpty() || error != null;
        return looked ? new Before(breaching, nothing, judged, error) : null;
    }

    /** Whether the rule was already breaching at P0 before the release. */
    boolean p0(String rule) {
        return breaching.stream().anyMatch(b -> b.rule().equals(rule) && b.severity() == Severity.P0);
    }

    /** Nothing could be judged, though Prometheus answered. */
    boolean blank() {
        return judged == 0 && error == null;
    }

    private static void add(List<Breach> out, Rule rule, @Nullable Severity severity, double value,
                            @Nullable Double baseline) {
        if (severity != null && severity != Severity.NONE) {
            out.add(new Breach(rule.name(), severity, value, baseline, Judge.thresholdOf(rule, severity)));
        }
    }
}
