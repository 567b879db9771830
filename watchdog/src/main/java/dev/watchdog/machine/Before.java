package dev.watchdog.machine;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.Observation;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
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

    /** Judges each rule once on what it saw, in the rule files' order; {@code for} does not apply to one look. */
    static @Nullable Before of(RuleSet rules, Map<String, Observation> seen) {
        if (seen.isEmpty()) {
            return null;
        }
        List<Breach> breaching = new ArrayList<>();
        List<String> nothing = new ArrayList<>();
        int judged = 0;
        String error = null;
        for (Rule rule : rules.rules()) {
            Observation o = seen.get(rule.name());
            if (o instanceof Observation.Failed f) {
                error = error == null ? f.message() : error;
            } else if (o instanceof Observation.Burn b) {
                judged++;
                add(breaching, rule, b.severity(), b.value(), null);
            } else if (o instanceof Observation.Values v && !v.series().isEmpty()) {
                judged++;
                worst(rule, v).ifPresent(s -> add(breaching, rule, Judge.severity(rule, s.value(), baseline(s, v)),
                        s.value(), baseline(s, v)));
            } else if (o != null) {
                nothing.add(rule.name());
            }
        }
        return new Before(breaching, nothing, judged, error);
    }

    /** Whether the rule was already breaching at P0 before the release. */
    boolean p0(String rule) {
        return breaching.stream().anyMatch(b -> b.rule().equals(rule) && b.severity() == Severity.P0);
    }

    /** Nothing could be judged, though Prometheus answered. */
    boolean blank() {
        return judged == 0 && error == null;
    }

    private static java.util.Optional<Series> worst(Rule rule, Observation.Values v) {
        Comparator<Series> bySeverity = Comparator.comparing(s -> severity(rule, s, v));
        return v.series().stream().filter(s -> !Double.isNaN(s.value()))
                .max(bySeverity.thenComparingDouble(s -> rule.direction() * s.value()));
    }

    private static Severity severity(Rule rule, Series s, Observation.Values v) {
        Severity sev = Judge.severity(rule, s.value(), baseline(s, v));
        return sev == null ? Severity.NONE : sev;
    }

    private static @Nullable Double baseline(Series s, Observation.Values v) {
        return Judge.baselineOf(s, v.baselines());
    }

    private static void add(List<Breach> out, Rule rule, @Nullable Severity severity, double value,
                            @Nullable Double baseline) {
        if (severity != null && severity != Severity.NONE) {
            out.add(new Breach(rule.name(), severity, value, baseline, Judge.thresholdOf(rule, severity)));
        }
    }
}
