package dev.watchdog.agent;

import dev.watchdog.rules.Template;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{name}}} in a command argument, a URL or a request body, filled from the rollback call.
 * Values are checked as the watchdog checks template values (no quotes, backslashes or control
 * characters), and a value may not begin with {@code -}: standing alone as an argument it would be
 * read as an option. A value that fails is refused, never escaped; in a URL each value is also
 * percent-encoded, and may choose neither the host nor a path of its own ({@link #url}). Pure.
 */
final class Placeholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*}}");
    static final Set<String> NAMES = Set.of("service", "version", "previous_version", "environment", "release_id",
            "rule", "severity", "triggered_by");
    static final String LABEL = "label.";
    private static final String HEX = "0123456789ABCDEF";

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

    /**
     * Where a URL's origin (scheme, host and port) ends: it must name no placeholder, so that a value
     * the deployer chose (a service named {@code evil.example#}) cannot send the step's headers, its
     * bearer token among them, to another host. Throws {@link IllegalArgumentException} if it does.
     */
    static int originEnd(String url) {
        int start = url.indexOf("://") + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        if (url.substring(0, end).contains("{{")) {
            throw new IllegalArgumentException("http.url: placeholders may fill the path and the query, never the scheme,"
                    + " host or port");
        }
        return end;
    }

    /**
     * Fills a URL's placeholders, each value percent-encoded (all but {@code A-Z a-z 0-9 - . _ ~}): a
     * value can add neither a path segment, a query parameter nor a fragment. In the path a value
     * that is {@code .} or {@code ..} or holds {@code /} is refused (422), even encoded: servers and
     * proxies that decode {@code %2F} would let {@code ../../admin} walk the path.
     */
    static String url(String url, Map<String, String> values) {
        int origin = originEnd(url);
        int query = origin;
        while (query < url.length() && "?#".indexOf(url.charAt(query)) < 0) {
            query++;
        }
        Matcher m = PLACEHOLDER.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = value(m.group(1), values);
            if (m.start() < query && (value.equals(".") || value.equals("..") || value.contains("/"))) {
                throw AgentException.cannotAct(m.group(1), "the value for {{" + m.group(1) + "}} would walk the URL's path"
                        + " (it is . or .. or holds /)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(encode(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
        return out.toString();
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
