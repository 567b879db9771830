package dev.watchdog.rules;

import dev.watchdog.rules.YamlNode.Mapping;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Reads what fits rules to a fleet: a group's {@code match}, a rule's {@code select}, {@code labels},
 * {@code versions} and {@code significance}. Problems are collected through {@link Fields}, with file and line.
 */
final class FleetFields {

    private static final Set<String> MATCH_KEYS = Set.of("service", "environment", "labels");
    private static final Set<String> VERSIONS_KEYS = Set.of("label", "new", "old");
    /** Labels the watchdog's alerts carry themselves: a rule may not set them. */
    static final Set<String> OWN_LABELS = Set.of("alertname", "service", "environment", "release", "version", "rule",
            "severity");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Fields fields;

    FleetFields(Fields fields) {
        this.fields = fields;
    }

    /** A group's {@code match}, or {@link Match#ALL} without one (or when it is wrong: its problems are reported). */
    Match match(Mapping group) {
        if (!group.entries().containsKey("match")) {
            return Match.ALL;
        }
        Mapping m = fields.mapping(group.entries().get("match"), null,
                "match must be a mapping of service, environment and labels to regular expressions");
        if (m == null) {
            return Match.ALL;
        }
        fields.unknownKeys(m, MATCH_KEYS, null);
        Optional<Pattern> service = pattern(m, "service");
        Optional<Pattern> environment = pattern(m, "environment");
        Map<String, Pattern> labels = new LinkedHashMap<>();
        if (m.entries().containsKey("labels")) {
            textMap(m, "labels", null, "match.labels").forEach((label, text) -> {
                try {
                    labels.put(label, regex(text));
                } catch (IllegalArgumentException e) {
                    int line = ((Mapping) m.entries().get("labels")).keyLine(label);
                    fields.problem(line, null, "match.labels." + label + ": " + e.getMessage());
                }
            });
        }
        return new Match(service, environment, labels);
    }

    private Optional<Pattern> pattern(Mapping match, String key) {
        String text = fields.text(match, key, null, false);
        try {
            return Optional.ofNullable(text).map(FleetFields::regex);
        } catch (IllegalArgumentException e) {
            fields.problem(match.keyLine(key), null, "match." + key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** A rule's {@code select}: label name to the value a release's series must have. */
    Map<String, Template> select(Mapping rule, @Nullable String name) {
        if (!rule.entries().containsKey("select")) {
            return Map.of();
        }
        Map<String, Template> out = new LinkedHashMap<>();
        Map<String, String> given = textMap(rule, "select", name, "select");
        if (!(rule.entries().get("select") instanceof Mapping m)) {
            return out;
        }
        if (m.entries().isEmpty()) {
            fields.problem(m.line(), name, "select needs at least one label, e.g. {service: \"{{service}}\"}");
        }
        given.forEach((label, text) -> {
            try {
                out.put(label, Template.value(text));
            } catch (IllegalArgumentException e) {
                fields.problem(m.keyLine(label), name, "select." + label + ": " + e.getMessage());
            }
        });
        return out;
    }

    /**
     * A select rule is one query for every release: its queries may not name a release. Its
     * problems are reported at the line of {@code select}.
     */
    void samePerRelease(Mapping rule, @Nullable String name, Measure measure) {
        if (!rule.entries().containsKey("select")) {
            return;
        }
        Set<String> used = new TreeSet<>();
        List<Template> queries = new ArrayList<>();
        if (measure.expr() != null) {
            queries.add(measure.expr());
        }
        if (measure.shape() instanceof Shape.Ratio r) {
            queries.add(r.total());
        }
        measure.guard().ifPresent(queries::add);
        measure.minTraffic().ifPresent(t -> queries.add(t.expr()));
        measure.slo().ifPresent(slo -> queries.addAll(List.of(slo.errors(), slo.total())));
        queries.forEach(t -> used.addAll(t.variables()));
        used.removeAll(Template.DURATIONS);
        if (!used.isEmpty()) {
            fields.problem(rule.keyLine("select"), name, "a select rule sends one query for every release, so its "
                    + "queries must not use " + String.join(", ", used.stream().map(v -> "{{" + v + "}}").toList())
                    + ": aggregate by the label (sum by (service) ...) and select it");
        }
    }

    /** A rule's {@code versions}: the label that tells versions apart and each one's value, or empty. */
    Optional<Baseline.Versions> versions(Mapping rule, @Nullable String name) {
        if (!rule.entries().containsKey("versions")) {
            return Optional.empty();
        }
        Mapping m = fields.mapping(rule.entries().get("versions"), name,
                "versions must be a mapping with label, new and old");
        if (m == null) {
            return Optional.empty();
        }
        fields.unknownKeys(m, VERSIONS_KEYS, name);
        Baseline.Versions d = Baseline.Versions.DEFAULT;
        String label = fields.optional(m, "label", name, FleetFields::labelName).orElse(d.label());
        Template newer = fields.optional(m, "new", name, Template::value).orElse(d.newer());
        Template older = fields.optional(m, "old", name, Template::value).orElse(d.older());
        return Optional.of(new Baseline.Versions(label, newer, older));
    }

    static String labelName(String text) {
        if (!LABEL_NAME.matcher(text).matches() || text.startsWith("__")) {
            throw new IllegalArgumentException("'" + text + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not __...)");
        }
        return text;
    }

    /** A rule's {@code labels}, passed to Alertmanager and webhooks with its alerts. */
    Map<String, String> labels(Mapping rule, @Nullable String name) {
        if (!rule.entries().containsKey("labels")) {
            return Map.of();
        }
        Map<String, String> out = textMap(rule, "labels", name, "labels");
        for (String label : List.copyOf(out.keySet())) {
            if (OWN_LABELS.contains(label)) {
                out.remove(label);
                fields.problem(((Mapping) rule.entries().get("labels")).keyLine(label), name,
                        "labels." + label + ": the watchdog sets '" + label + "' on its alerts itself; use another name");
            }
        }
        return out;
    }

    /** {@code significance}: a level in (0, 0.5]. */
    static double significance(String text) {
        double level = Fields.number(text);
        if (!(level > 0 && level <= 0.5)) {
            throw new IllegalArgumentException("'" + text + "' is not a significance level in (0, 0.5], e.g. 0.01");
        }
        return level;
    }

    static Pattern regex(String text) {
        try {
            return Match.anchored(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a regular expression: " + e.getDescription());
        }
    }

    /** A mapping of label names to text; names must be Prometheus label names. */
    private Map<String, String> textMap(Mapping parent, String key, @Nullable String rule, String what) {
        YamlNode node = Objects.requireNonNull(parent.entries().get(key), "read only for a key it has");
        Mapping m = fields.mapping(node, rule, what + " must be a mapping of label names to text");
        Map<String, String> out = new LinkedHashMap<>();
        if (m == null) {
            return out;
        }
        m.entries().keySet().forEach(label -> {
            int line = m.keyLine(label);
            if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                fields.problem(line, rule, what + ": '" + label + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not __...)");
                return;
            }
            String text = fields.text(m, label, rule, true);
            if (text != null) {
                out.put(label, text);
            }
        });
        return out;
    }
}
