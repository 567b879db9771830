package dev.watchdog.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rule of a rule file, by meaning: which releases it judges ({@link Scope}), what it asks and how
 * the answer reads ({@link Measure}), when that is a breach ({@link Judgement}), and how it is shown
 * and sent ({@link Presentation}). A dry-run rule is judged and shown but never acts.
 */
public record Rule(
        String name,
        String group,
        Signal signal,
        Measure measure,
        Judgement judgement,
        Presentation presentation,
        Scope scope,
        boolean dryRun,
        Place place) {

    /** The golden signals, availability, and business metrics. */
    public enum Signal { LATENCY, TRAFFIC, ERRORS, SATURATION, AVAILABILITY, BUSINESS }

    /** Every template of the rule: expr, total, guard, minTraffic, SLO queries. */
    public List<Template> templates() {
        List<Template> all = new ArrayList<>();
        if (measure.expr() != null) {
            all.add(measure.expr());
        }
        if (measure.shape() instanceof Shape.Ratio r) {
            all.add(r.total());
        }
        measure.guard().ifPresent(all::add);
        measure.minTraffic().ifPresent(m -> all.add(m.expr()));
        measure.slo().ifPresent(s -> {
            all.add(s.errors());
            all.add(s.total());
        });
        return all;
    }

    /**
     * Every variable a release must give for this rule: its queries' and its selection's. The values
     * that tell versions apart are not among them: a release without them is compared otherwise.
     */
    public Set<String> variables() {
        Set<String> all = new TreeSet<>();
        templates().forEach(t -> all.addAll(t.variables()));
        scope.select().values().forEach(t -> all.addAll(t.variables()));
        all.removeAll(Template.DURATIONS);
        return all;
    }

    /** Whether the rule counts since the release: its expr uses {@code {{since_release}}}. */
    public boolean cumulative() {
        return measure.expr() != null && measure.expr().variables().contains(Template.SINCE_RELEASE);
    }

    /** The direction in which values get worse: +1 higher, -1 lower, 0 neither. */
    public int direction() {
        return judgement.direction();
    }

    /** Lower-case name of an enum constant, as rule files and the API write it. */
    public static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
