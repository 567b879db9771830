package dev.watchdog.rules;

import dev.watchdog.core.Ordered;
import dev.watchdog.core.Release;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which releases a group's rules apply to: anchored regular expressions over the release's service,
 * environment and labels, all of which must match. A label the release does not have is the empty
 * string, as in Prometheus, so {@code tier: ".*"} also matches a release without a tier.
 */
public record Match(Optional<Pattern> service, Optional<Pattern> environment, Map<String, Pattern> labels) {

    /** The match of a group without {@code match}: every release. */
    public static final Match ALL = new Match(Optional.empty(), Optional.empty(), Map.of());

    public Match {
        labels = Ordered.sorted(labels);
    }

    /** A pattern anchored at both ends, as Prometheus anchors its regex matchers. */
    static Pattern anchored(String regex) {
        return Pattern.compile("^(?:" + regex + ")$");
    }

    public boolean applies(Release r) {
        return matches(service, r.service()) && matches(environment, r.environment())
                && labels.entrySet().stream().allMatch(e -> e.getValue().matcher(r.labels().getOrDefault(e.getKey(), "")).matches());
    }

    private static boolean matches(Optional<Pattern> pattern, String value) {
        return pattern.map(p -> p.matcher(value).matches()).orElse(true);
    }

    /** As the rule file wrote it, e.g. {@code service=~"api|web", labels.tier=~"critical"}; empty for every release. */
    public String text() {
        Map<String, String> parts = new LinkedHashMap<>();
        service.ifPresent(p -> parts.put("service", unanchored(p)));
        environment.ifPresent(p -> parts.put("environment", unanchored(p)));
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> parts.put("labels." + e.getKey(), unanchored(e.getValue())));
        return parts.entrySet().stream().map(e -> e.getKey() + "=~\"" + e.getValue() + "\"").collect(Collectors.joining(", "));
    }

    private static String unanchored(Pattern p) {
        String s = p.pattern();
        return s.substring("^(?:".length(), s.length() - ")$".length());
    }
}
