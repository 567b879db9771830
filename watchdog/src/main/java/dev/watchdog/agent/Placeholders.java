package dev.watchdog.agent;

import dev.watchdog.rules.Template;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{name}}} in a command argument, a URL or a request body, filled from the rollback call.
 * Values are checked as the watchdog checks template values (no quotes, backslashes or control
 * characters), and a value may not begin with {@code -}: standing alone as an argument it would be
 * read as an option. A value that fails is refused, never escaped. Pure.
 */
final class Placeholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*}}");
    static final Set<String> NAMES = Set.of("service", "version", "previous_version", "environment", "release_id",
            "rule", "severity", "triggered_by");
    static final String LABEL = "label.";

    private Placeholders() {}

    /** Throws {@link IllegalArgumentException} if the text names a placeholder the agent does not fill. */
    static void check(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (!NAMES.contains(name) && !(name.startsWith(LABEL) && name.length() > LABEL.length())) {
                throw new IllegalArgumentException("unknown placeholder {{" + name + "}} in '" + text
                        + "'; known: " + String.join(", ", NAMES.stream().sorted().toList()) + ", label.NAME");
            }
        }
        int stray = text.replaceAll(PLACEHOLDER.pattern(), "").indexOf("{{");
        if (stray >= 0) {
            throw new IllegalArgumentException("'{{' in '" + text + "' is not a placeholder of the form {{name}}");
        }
    }

    /** Fills every placeholder, or throws a 422 naming the value that is missing or unsafe. */
    static String render(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1), values)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String value(String name, Map<String, String> values) {
        String value = values.get(name);
        if (value == null) {
            throw AgentException.cannotAct(name, "the rollback call has no value for {{" + name + "}}");
        }
        String unsafe = Template.unsafeBecause(value);
        if (unsafe == null && value.startsWith("-")) {
            unsafe = "must not begin with '-' (it would be read as an option)";
        }
        if (unsafe != null) {
            throw AgentException.cannotAct(name, "the value for {{" + name + "}} " + unsafe);
        }
        return value;
    }
}
