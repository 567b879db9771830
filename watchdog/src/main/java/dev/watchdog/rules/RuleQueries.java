package dev.watchdog.rules;

import dev.watchdog.rules.YamlNode.Mapping;
import dev.watchdog.rules.YamlNode.Sequence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every PromQL query the rules send, rendered with placeholder values ({@code service="check______"},
 * {@code {{window}}} and {@code {{since_release}}} = 5m) so that a PromQL parser can read it, each with
 * the file, line and field where it is written: expr, total, guard, minTraffic.expr, the averaged
 * baseline, slo.errors, slo.total.
 * Each value is as long as its placeholder, so a parser's line:column is also one in the rule file's text.
 */
public final class RuleQueries {

    /** What every template variable stands for while checking: a plain, safe string, padded with _. */
    public static final String PLACEHOLDER = "check";
    /** What {@code {{window}}} and {@code {{since_release}}} stand for while checking, padded with leading zeros. */
    public static final String WINDOW = "5m";

    /** One query and where it is written. */
    public record Query(String file, int line, String rule, String field, String promql) {}

    private final Map<String, Map<Integer, Mapping>> rulesByLine = new HashMap<>();

    private RuleQueries() {}

    /** The queries of these rules, in order; a field's line is read back from its file. */
    public static List<Query> of(List<Rule> rules) {
        RuleQueries queries = new RuleQueries();
        List<Query> out = new ArrayList<>();
        rules.forEach(rule -> out.addAll(queries.of(rule)));
        return out;
    }

    private List<Query> of(Rule rule) {
        Mapping m = rulesByLine.computeIfAbsent(rule.place().file(), RuleQueries::rulesByLine).get(rule.place().line());
        Map<String, String> values = new HashMap<>();
        rule.templates().forEach(t -> t.variables().forEach(v -> values.put(v, padded(v, PLACEHOLDER, '_', false))));
        Template.DURATIONS.forEach(d -> values.put(d, padded(d, WINDOW, '0', true)));
        Measure measure = rule.measure();
        List<Query> out = new ArrayList<>();
        if (measure.expr() != null) {
            String expr = measure.expr().render(values);
            out.add(query(rule, m, "expr", expr));
            measure.baseline().filter(b -> !rule.cumulative())
                    .map(b -> b.averaged(expr, measure.interval().orElse(Duration.ofMinutes(1))))
                    .ifPresent(q -> out.add(query(rule, m, "baseline", q)));
        }
        if (measure.shape() instanceof Shape.Ratio r) {
            out.add(query(rule, m, "total", r.total().render(values)));
        }
        measure.guard().ifPresent(g -> out.add(query(rule, m, "guard", g.render(values))));
        measure.minTraffic().ifPresent(t -> out.add(query(rule, m, "minTraffic.expr", t.expr().render(values))));
        measure.slo().ifPresent(s -> {
            out.add(query(rule, m, "slo.errors", s.errors().render(values)));
            out.add(query(rule, m, "slo.total", s.total().render(values)));
        });
        return out;
    }

    /** {@code value} as long as {@code {{name}}}, padded after (or before) with {@code pad}. */
    private static String padded(String name, String value, char pad, boolean before) {
        String padding = String.valueOf(pad).repeat(Math.max(0, name.length() + 4 - value.length()));
        return before ? padding + value : value + padding;
    }

    private static Query query(Rule rule, @Nullable Mapping m, String field, String promql) {
        return new Query(rule.place().file(), line(m, field, rule.place().line()), rule.name(), field, promql);
    }

    /** The line of a dotted field inside a rule's mapping, or the rule's own line if it cannot be found. */
    private static int line(@Nullable Mapping m, String field, int fallback) {
        String[] keys = field.split("\\.");
        YamlNode node = m;
        int line = fallback;
        for (String key : keys) {
            if (!(node instanceof Mapping mapping) || !mapping.keyLines().containsKey(key)) {
                return fallback;
            }
            line = mapping.keyLines().get(key);
            node = mapping.entries().get(key);
        }
        return line;
    }

    /** Every rule mapping of a file (groups[*].rules[*]) by the line it starts on, as the loader records it. */
    private static Map<Integer, Mapping> rulesByLine(String file) {
        Map<Integer, Mapping> out = new HashMap<>();
        try {
            YamlNode root = YamlNode.parse(Files.readString(Path.of(file), StandardCharsets.UTF_8), new ArrayList<>());
            for (YamlNode group : items(root, "groups")) {
                for (YamlNode rule : items(group, "rules")) {
                    if (rule instanceof Mapping m) {
                        out.put(m.line(), m);
                    }
                }
            }
        } catch (IOException e) {
            // the loader read this file a moment ago; without it, queries fall back to their rule's line
        }
        return out;
    }

    private static List<YamlNode> items(YamlNode node, String key) {
        return node instanceof Mapping m && m.entries().get(key) instanceof Sequence s ? s.items() : List.of();
    }
}
