package dev.watchdog.rules;

import dev.watchdog.core.Unit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One rule of a rule file: which releases it judges, what to query, how to read it, and when it
 * breaches at P1 or P0. An SLO rule has {@code slo} instead of {@code expr} (which is then null) and
 * no thresholds of its own. {@code labels} go with its alerts; {@code significance}, on a relative
 * rule over counts, makes a breach also need a test to reject "no change" at that level.
 */
public record Rule(
        String name,
        String group,
        Signal signal,
        @Nullable Template expr,
        Unit unit,
        Optional<Threshold> p1,
        Optional<Threshold> p0,
        Duration forDuration,
        Duration after,
        NoData noData,
        Optional<Template> guard,
        Map<String, String> annotations,
        Map<String, String> labels,
        Scope scope,
        Optional<Double> significance,
        Optional<Duration> interval,
        Optional<Baseline> baseline,
        Optional<MinTraffic> minTraffic,
        Optional<Slo> slo,
        boolean dryRun,
        String file,
        int line) {

    /** Judge only when {@code expr} (summed over its series) is at least {@code atLeast}. */
    public record MinTraffic(Template expr, double atLeast) {}

    /** The golden signals, availability, and business metrics. */
    public enum Signal { LATENCY, TRAFFIC, ERRORS, SATURATION, AVAILABILITY, BUSINESS }

    /** What an evaluation that returns no data counts as. */
    public enum NoData { OK, INCONCLUSIVE, BREACH }

    /** Every template of the rule: expr, guard, minTraffic, SLO queries. */
    public List<Template> templates() {
        List<Template> all = new ArrayList<>();
        if (expr != null) {
            all.add(expr);
        }
        guard.ifPresent(all::add);
        minTraffic.ifPresent(m -> all.add(m.expr()));
        slo.ifPresent(s -> {
            all.add(s.errors());
            all.add(s.total());
        });
        return all;
    }

    /** Every variable a release must give for this rule: its queries' and its selection's. */
    public Set<String> variables() {
        Set<String> all = new TreeSet<>();
        templates().forEach(t -> all.addAll(t.variables()));
        scope.select().values().forEach(t -> all.addAll(t.variables()));
        all.remove(Template.WINDOW);
        return all;
    }

    /** {@code annotations.summary}, or null. */
    public @Nullable String summary() {
        return annotations.get("summary");
    }

    /** {@code annotations.description}, or null. */
    public @Nullable String description() {
        return annotations.get("description");
    }

    /** {@code annotations.runbook_url}, or the older {@code runbook}, or null. */
    public @Nullable String runbookUrl() {
        return annotations.getOrDefault("runbook_url", annotations.get("runbook"));
    }

    /** The direction in which values get worse: +1 higher, -1 lower, 0 neither. */
    public int direction() {
        return p0.or(() -> p1).map(Threshold::direction).orElse(0);
    }

    /** Lower-case name of an enum constant, as rule files and the API write it. */
    public static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
