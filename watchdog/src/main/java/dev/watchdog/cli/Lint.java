package dev.watchdog.cli;

import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Template;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code watchdog check} warns about in rules that load but will not judge as their author
 * thinks, as pint warns about Prometheus rules: a comparison inside {@code expr} (a Prometheus
 * alert's habit), and, asked of a Prometheus, selectors that match no series (a misspelt metric
 * or label). Warnings, not problems: the exit code stays 0.
 */
final class Lint {

    /** A comparison that filters series out; {@code bool} comparisons, which keep them, are fine. */
    private static final Pattern COMPARISON = Pattern.compile("(==|!=|>=|<=|>|<)(?!\\s*bool\\b)\\s*([^\\s)]*)");
    /** A metric name, optionally with its matchers, that is not a function, a keyword or a number. */
    private static final Pattern SELECTOR = Pattern.compile(
            "(?<![\\w:.\"'])([a-zA-Z_:][a-zA-Z0-9_:]*+)\\s*+(\\{[^}]*})?+(?!\\s*\\()");
    /** A grouping clause, whose parenthesis lists label names, not series. */
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan", "Inf", "NaN", "start", "end");

    /** Where a release's value would stand in a query. */
    private static final String PLACEHOLDER = "\u2026";

    private Lint() {}

    /** A warning about one rule, where it is. */
    record Warning(String file, int line, String rule, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": rule " + rule + ": warning: " + message;
        }
    }

    /** Each rule whose expr filters by a comparison. */
    static List<Warning> comparisons(List<Rule> rules) {
        List<Warning> out = new ArrayList<>();
        for (Rule rule : rules) {
            Template expr = rule.measure().expr();
            if (expr == null) {
                continue;
            }
            Matcher m = COMPARISON.matcher(bare(expr.toString()));
            if (m.find()) {
                out.add(new Warning(rule.place().file(), rule.place().line(), rule.name(), "expr compares (" + m.group(1) + " "
                        + m.group(2) + "): while healthy it returns no series, so the rule reads no data and never"
                        + " recovers; let expr give the value, and the threshold the number (\"" + m.group(1) + " "
                        + m.group(2) + "\")"));
            }
        }
        return out;
    }

    /**
     * The series selectors of a rule's queries, each matcher whose value is a placeholder dropped (no
     * release's values are known here): the metric and its fixed matchers, as Prometheus can be asked.
     */
    static Set<String> selectors(Rule rule) {
        Set<String> out = new LinkedHashSet<>();
        for (Template t : rule.templates()) {
            String text = GROUPING.matcher(t.toString().replaceAll("\\{\\{\\s*\\w+\\s*}}", PLACEHOLDER)).replaceAll("");
            Matcher m = SELECTOR.matcher(text);
            while (m.find()) {
                String name = m.group(1);
                if (KEYWORDS.contains(name)) {
                    continue;
                }
                String matchers = m.group(2) == null ? "" : fixed(text.substring(m.start(2), m.end(2)));
                out.add(name + matchers);
            }
        }
        return out;
    }

    /** The expression without strings, label matchers and ranges: where a comparison would filter. */
    private static String bare(String promql) {
        return withoutStrings(promql).replaceAll("\\{[^}]*}", "{}").replaceAll("\\[[^]]*]", "[]");
    }

    private static String withoutStrings(String promql) {
        return promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("'(\\\\.|[^'\\\\])*'", "''")
                .replaceAll("`[^`]*`", "``");
    }

    /** The matchers whose values hold no placeholder; none at all is the empty string. */
    private static String fixed(String matchers) {
        List<String> kept = new ArrayList<>();
        for (String m : matchers.substring(1, matchers.length() - 1).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            if (!m.isBlank() && !m.contains(PLACEHOLDER)) {
                kept.add(m.trim());
            }
        }
        return kept.isEmpty() ? "" : "{" + String.join(",", kept) + "}";
    }
}
