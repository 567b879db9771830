package dev.watchdog.report;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Release;
import dev.watchdog.core.Units;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Incident;
import dev.watchdog.release.Event;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.Template;
import dev.watchdog.rules.Threshold;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The report's rules that breached: each one's query as it was sent for this release, its
 * thresholds and baseline, and its value against them at every moment its outcome changed (for a rule
 * with a test, with its evidence: the change, its interval and the counts behind it).
 */
final class Breaches {

    private static final Set<String> BREACHING = Set.of("p1", "p0");

    private Breaches() {}

    static void write(Markdown md, Release release, List<Event> events, List<Incident> incidents, RuleSet rules) {
        Set<String> names = breached(events, incidents);
        md.heading(2, "Rules that breached");
        if (names.isEmpty()) {
            md.line("No rule breached.").gap();
            return;
        }
        for (String name : names) {
            Optional<Rule> rule = rules.byName(name);
            md.heading(3, name);
            md.line(rule.map(Breaches::describe).orElse("This rule is no longer in the rule files.")).gap();
            rule.ifPresent(r -> md.code("promql", query(r, release)));
            boolean tested = events.stream().anyMatch(e -> name.equals(e.data().get("rule")) && e.data().containsKey("evidence"));
            md.table(tested ? List.of("at", "outcome", "value", "threshold", "baseline", "evidence")
                    : List.of("at", "outcome", "value", "threshold", "baseline"), moments(md, name, events, rule, tested));
            lastSeen(md, name, incidents, rule);
        }
    }

    /** Rules that breached at P1 or P0 (dry runs included: they say what would have happened), in order of first breach. */
    private static Set<String> breached(List<Event> events, List<Incident> incidents) {
        Set<String> names = new LinkedHashSet<>();
        events.stream().filter(e -> e.type() == Event.Type.OUTCOME && BREACHING.contains(String.valueOf(e.data().get("outcome"))))
                .forEach(e -> names.add(String.valueOf(e.data().get("rule"))));
        incidents.forEach(i -> names.addAll(i.rules().keySet()));
        return names;
    }

    private static String describe(Rule r) {
        List<String> parts = new ArrayList<>();
        parts.add("Signal " + Rule.label(r.signal()) + ", unit " + Rule.label(r.presentation().unit()));
        r.judgement().p1().map(Threshold::text).ifPresent(t -> parts.add("P1 " + Markdown.code(t)));
        r.judgement().p0().map(Threshold::text).ifPresent(t -> parts.add("P0 " + Markdown.code(t)));
        parts.add("for " + Durations.format(r.judgement().forDuration()));
        r.measure().baseline().ifPresent(b -> parts.add("baseline " + Markdown.code(b.text())));
        String runbook = Optional.ofNullable(r.presentation().annotations().get("runbook_url")).orElse(r.presentation().annotations().get("runbook"));
        return String.join(", ", parts) + "." + (r.dryRun() ? " Dry run: it never acted." : "")
                + (runbook == null ? "" : " Runbook: " + Markdown.cell(runbook));
    }

    /** The queries as sent for this release; a template that cannot be filled in is shown as written. */
    static String query(Rule r, Release release) {
        List<String> lines = new ArrayList<>();
        for (Template t : r.templates()) {
            try {
                lines.add(t.render(release.templateValues()));
            } catch (IllegalArgumentException e) {
                lines.add(t.toString());
            }
        }
        return String.join("\n\n", lines);
    }

    /** Each moment the rule's outcome changed; for a rule with a test, with the evidence it had then. */
    private static List<List<String>> moments(Markdown md, String name, List<Event> events, Optional<Rule> rule,
                                              boolean tested) {
        return events.stream().filter(e -> e.type() == Event.Type.OUTCOME && name.equals(e.data().get("rule")))
                .map(e -> {
                    List<String> row = new ArrayList<>(List.of(md.at(e.at()), String.valueOf(e.data().get("outcome")),
                            value(rule, number(e.data(), "value")), threshold(e.data().get("threshold")),
                            value(rule, number(e.data(), "baseline"))));
                    if (tested) {
                        row.add(e.data().get("evidence") == null ? "" : Markdown.text(String.valueOf(e.data().get("evidence"))));
                    }
                    return row;
                })
                .toList();
    }

    /** As the incident last saw it: what counted when it was rolled back, accepted or resolved. */
    private static void lastSeen(Markdown md, String name, List<Incident> incidents, Optional<Rule> rule) {
        for (Incident inc : incidents) {
            Breach b = inc.rules().get(name);
            if (b != null) {
                md.line("Last seen by incident " + Markdown.code(inc.id()) + ": " + b.severity() + " at "
                        + value(rule, b.value()) + " against " + threshold(b.threshold())
                        + (b.baseline() == null ? "" : ", baseline " + value(rule, b.baseline())) + ".").gap();
            }
        }
    }

    /** The number as measured, and in the rule's unit where that reads differently: {@code 0.073 (7.3 %)}. */
    static String value(Optional<Rule> rule, @Nullable Double v) {
        if (v == null) {
            return "";
        }
        String raw = Markdown.number(v);
        String shown = rule.map(r -> Units.format(r.presentation().unit(), v)).orElse(raw);
        return shown.equals(raw) ? raw : raw + " (" + shown + ")";
    }

    static String threshold(@Nullable Object text) {
        return text == null || String.valueOf(text).isEmpty() ? "" : Markdown.code(String.valueOf(text));
    }

    private static @Nullable Double number(Map<String, Object> data, String key) {
        return data.get(key) instanceof Number n ? n.doubleValue() : null;
    }
}
