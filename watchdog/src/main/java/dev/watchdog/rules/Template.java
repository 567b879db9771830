package dev.watchdog.rules;

import dev.watchdog.core.Ordered;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A PromQL expression with {@code {{name}}} placeholders. Placeholders may stand only inside string
 * literals, and values are accepted only if they are safe there without escaping: together, no
 * registered label can change the shape of a query.
 */
public final class Template {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    /** A placeholder the watchdog fills itself, in range selectors of SLO rules: a duration. */
    public static final String WINDOW = "window";
    /**
     * A placeholder the watchdog fills itself: the release's age at the evaluation, a duration, so that
     * {@code increase(x[{{since_release}}])} counts since the release started.
     */
    public static final String SINCE_RELEASE = "since_release";
    /** The placeholders that stand for durations in range selectors, filled by the watchdog. */
    public static final List<String> DURATIONS = List.of(WINDOW, SINCE_RELEASE);
    private static final Pattern DURATION = Pattern.compile("[0-9]+(ms|[smhdwy])([0-9]+(ms|[smhdwy]))*");
    private static final int MAX_VALUE_LENGTH = 256;

    private final String text;
    /** The text cut at its placeholders: literal, name, literal, ..., literal; rendered without a regex. */
    private final List<String> parts;
    private final Set<String> variables;

    private Template(String text) {
        this.text = text;
        this.parts = split(text);
        Set<String> names = new LinkedHashSet<>();
        for (int i = 1; i < parts.size(); i += 2) {
            names.add(parts.get(i));
        }
        this.variables = Ordered.sorted(Set.copyOf(names));
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int last = 0;
        while (m.find()) {
            parts.add(text.substring(last, m.start()));
            parts.add(m.group(1));
            last = m.end();
        }
        parts.add(text.substring(last));
        return List.copyOf(parts);
    }

    /** The text without its placeholders: where a stray '{{' shows. */
    private String literals() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.size(); i += 2) {
            out.append(parts.get(i));
        }
        return out.toString();
    }

    /** Parses an expression, or throws {@link IllegalArgumentException} naming the misplaced placeholder. */
    public static Template parse(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (!DURATIONS.contains(m.group(1)) && !insideString(text, m.start())) {
                throw new IllegalArgumentException("placeholder " + m.group()
                        + " stands outside a string literal; write it inside quotes, e.g. service=\"{{service}}\"");
            }
        }
        Template t = new Template(text);
        int stray = t.literals().indexOf("{{");
        if (stray >= 0) {
            throw new IllegalArgumentException("'{{' at offset " + stray + " is not a placeholder of the form {{name}}");
        }
        return t;
    }

    /**
     * A label value to compare with, not PromQL ({@code select: {service: "{{service}}"}}): placeholders
     * may stand anywhere, {@code {{window}}} nowhere.
     */
    public static Template value(String text) {
        Template t = new Template(text);
        for (String duration : DURATIONS) {
            if (t.variables.contains(duration)) {
                throw new IllegalArgumentException("{{" + duration + "}} is a duration for range selectors, not a label value");
            }
        }
        if (t.literals().contains("{{")) {
            throw new IllegalArgumentException("'{{' is not a placeholder of the form {{name}}");
        }
        return t;
    }

    /**
     * An annotation's text with the placeholders it can fill filled in ({@code "5xx ratio of {{service}}"}),
     * the others left as written: annotations are read by people, never sent to Prometheus.
     */
    public static @Nullable String annotate(@Nullable String text, Map<String, String> values) {
        if (text == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The variables this template needs. */
    public Set<String> variables() {
        return variables;
    }

    /**
     * Substitutes every placeholder; each value must have passed {@link #unsafeBecause}. A fleet's
     * tick renders hundreds of thousands of these, so it walks the parts cut at parse time.
     */
    public String render(Map<String, String> values) {
        if (parts.size() == 1) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (i % 2 == 0) {
                out.append(part);
                continue;
            }
            String value = values.get(part);
            boolean safe = value != null && (DURATIONS.contains(part) ? DURATION.matcher(value).matches()
                    : unsafeBecause(value) == null);
            if (!safe) {
                throw new IllegalArgumentException("no safe value for {{" + part + "}}");
            }
            out.append(value);
        }
        return out.toString();
    }

    /**
     * Why a value cannot be placed inside a PromQL string literal, or null if it can. Quotes,
     * backslashes and control characters are refused rather than escaped: a label value that needs
     * them is far more likely an attack or a mistake than a real service name.
     */
    public static @Nullable String unsafeBecause(String value) {
        if (value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return "must be at most " + MAX_VALUE_LENGTH + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\'' || c == '`' || c == '\\' || Character.isISOControl(c)
                    || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
                return "contains a character that is not allowed in a PromQL string (quotes, backslash, control characters)";
            }
        }
        return null;
    }

    private static boolean insideString(String text, int position) {
        char quote = 0;
        for (int i = 0; i < position; i++) {
            char c = text.charAt(i);
            if (quote != 0 && c == '\\' && quote != '`') {
                i++;
            } else if (quote == 0 && (c == '"' || c == '\'' || c == '`')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        return quote != 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
