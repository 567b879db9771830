package dev.watchdog.cli;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Release;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Shape;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.Slo;
import dev.watchdog.rules.Template;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code watchdog check --release 'service=api,environment=production,tier=critical'}: which rules a
 * release would get, which it would not (and which group's match keeps them away), and every query
 * they would send for it, with the variables a registration would have to give.
 */
final class ReleaseRules {

    private ReleaseRules() {}

    /** {@code service=api,environment=production,version=1.4.0,previousVersion=1.3.2,LABEL=...}: service is required. */
    static Release parse(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not KEY=VALUE");
            }
            fields.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        String service = fields.remove("service");
        if (service == null || service.isEmpty()) {
            throw new IllegalArgumentException("service is required");
        }
        String environment = fields.getOrDefault("environment", "production");
        String version = fields.get("version");
        String previous = fields.get("previousVersion");
        List.of("environment", "version", "previousVersion").forEach(fields::remove);
        return Release.hypothetical("check", service, version == null ? "{{version}}" : version, previous, environment,
                fields, Instant.EPOCH);
    }

    /** Prints what the release would get; returns the variables it lacks (a registration would be refused). */
    static Set<String> print(PrintStream out, RuleSet all, Release r, Duration interval) {
        RuleSet applying = all.forRelease(r);
        out.printf("Release %s: %d of %d rules apply%n", describe(r), applying.rules().size(), all.rules().size());
        Map<String, String> values = r.templateValues();
        values.remove("version", "{{version}}");
        for (Rule rule : applying.rules()) {
            out.printf("%n%s (%s:%d, group %s%s)%n", rule.name(), rule.place().file(), rule.place().line(), rule.group(),
                    rule.scope().match().text().isEmpty() ? "" : ", match " + rule.scope().match().text());
            queries(rule, values, interval).forEach((field, promql) -> out.printf("  %s:%n    %s%n", field,
                    promql.strip().replace("\n", "\n    ")));
        }
        List<Rule> others = all.rules().stream().filter(x -> !applying.rules().contains(x)).toList();
        if (!others.isEmpty()) {
            out.printf("%nNot for this release:%n");
            others.forEach(x -> out.printf("  %s (group %s, match %s)%n", x.name(), x.group(), x.scope().match().text()));
        }
        Set<String> missing = new TreeSet<>(applying.variables());
        missing.removeAll(r.templateValues().keySet());
        if (!missing.isEmpty()) {
            out.printf("%nA registration without %s is refused: the rules above use %s%n",
                    missing.stream().map(ReleaseRules::field).collect(Collectors.joining(", ")),
                    missing.stream().map(v -> "{{" + v + "}}").collect(Collectors.joining(", ")));
        }
        return missing;
    }

    private static String describe(Release r) {
        String labels = r.labels().isEmpty() ? "" : " labels " + new java.util.TreeMap<>(r.labels());
        return "service=" + r.service() + " environment=" + r.environment() + labels;
    }

    private static String field(String variable) {
        return variable.equals("previous_version") ? "previousVersion" : "labels." + variable;
    }

    /** Each query as it would be sent for this release, by the field it comes from. */
    static Map<String, String> queries(Rule rule, Map<String, String> values, Duration interval) {
        Map<String, String> out = new LinkedHashMap<>();
        String series = rule.scope().select().entrySet().stream().map(e -> e.getKey() + "=\"" + Template.annotate(
                e.getValue().toString(), values) + "\"").collect(Collectors.joining(", "));
        String selected = rule.scope().selects() ? ", once per tick for every release; this one's series: " + series : "";
        String once = rule.scope().selects() ? ", once, at the release's start; this one's series: " + series : "";
        rule.measure().guard().ifPresent(g -> out.put("guard" + selected, Template.annotate(g.toString(), values)));
        rule.measure().minTraffic().ifPresent(t -> out.put("minTraffic.expr" + selected, Template.annotate(t.expr().toString(), values)));
        if (rule.measure().expr() != null) {
            String expr = Objects.requireNonNull(Template.annotate(rule.measure().expr().toString(), values),
                    "a text annotated is a text");
            out.put("expr" + selected, expr);
            rule.measure().baseline().ifPresent(b -> b.alternatives().forEach(a -> out.put("baseline " + a.text()
                    + (a instanceof Baseline.BeforeRelease ? once : selected), reference(rule, a, expr, values, interval))));
        }
        if (rule.measure().shape() instanceof Shape.Ratio r) {
            out.put("total" + selected, Template.annotate(r.total().toString(), values));
        }
        rule.measure().slo().ifPresent(slo -> sloQueries(slo, values, selected, out));
        return out;
    }

    /** How one baseline alternative is asked for this release. */
    private static String reference(Rule rule, Baseline.Reference a, String expr, Map<String, String> values,
                                    Duration interval) {
        if (a instanceof Baseline.BeforeRelease b) {
            String averaged = rule.cumulative() ? null : Baseline.parse(a.text()).averaged(expr,
                    rule.measure().interval().orElse(interval));
            return averaged != null ? averaged : b.span().isZero() ? "expr at the release's start"
                    : "expr over the " + Durations.format(b.span()) + " before the release's start";
        }
        if (a instanceof Baseline.Offsets o) {
            List<String> each = o.offsets().stream().map(Baseline::days).toList();
            return "expr at the evaluation's time minus " + String.join(", ", each)
                    + (each.size() > 1 ? "; their median" : "");
        }
        Baseline.Versions v = ((Baseline.PreviousVersion) a).versions();
        return "expr's series with " + v.label() + "=\"" + Template.annotate(v.older().toString(), values)
                + "\", beside the new version's " + v.label() + "=\"" + Template.annotate(v.newer().toString(), values) + "\"";
    }

    private static void sloQueries(Slo slo, Map<String, String> values, String selected, Map<String, String> out) {
        Set<Duration> windows = new LinkedHashSet<>();
        slo.windows().forEach(w -> {
            windows.add(w.longWindow());
            windows.add(w.shortWindow());
        });
        List<String> names = new ArrayList<>();
        windows.forEach(w -> names.add(Durations.format(w)));
        String note = " (each of " + String.join(", ", names) + (slo.clip() ? "; long windows clipped to the release's age" : "")
                + ")";
        out.put("slo.errors" + note + selected, Template.annotate(slo.errors().toString(), values));
        out.put("slo.total" + note + selected, Template.annotate(slo.total().toString(), values));
    }
}
