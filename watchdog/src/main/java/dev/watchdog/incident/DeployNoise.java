package dev.watchdog.incident;

import dev.watchdog.core.Ordered;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The alerts a deploy is expected to cause (restarts, readiness flaps), silenced at an Alertmanager
 * while a release bakes, so that nobody is paged for them while the watchdog watches the release.
 * {@code alertmanager}: a receiver of the alertmanager kind; {@code matchers}: in Alertmanager's own
 * syntax ({@code alertname=~"KubePodCrashLooping|KubePodNotReady"}). Optional: {@code scope}, the
 * label names that carry a release's service and environment on those alerts (default service and
 * environment): the silence is always narrowed to the release's own.
 */
public record DeployNoise(String alertmanager, List<String> matchers, Map<String, String> scope) {

    /** The release fields that scope a silence by default, service first. */
    private static final Map<String, String> DEFAULT_SCOPE = defaultScope();

    private static Map<String, String> defaultScope() {
        Map<String, String> scope = new LinkedHashMap<>();
        scope.put("service", "service");
        scope.put("environment", "environment");
        return Ordered.kept(scope);
    }

    private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"(.*)\"\\s*");

    /** One matcher as Alertmanager's API takes it. */
    public record LabelMatcher(String name, String value, boolean isRegex, boolean isEqual) {}

    public DeployNoise {
        Objects.requireNonNull(alertmanager, "deployNoise.alertmanager is required");
        if (matchers == null || matchers.isEmpty()) {
            throw new IllegalArgumentException("deployNoise.matchers must name at least one matcher");
        }
        matchers = List.copyOf(matchers);
        matchers.forEach(DeployNoise::parse);
        scope = scope == null ? DEFAULT_SCOPE : Ordered.kept(scope);
        if (!scope.keySet().equals(java.util.Set.of("service", "environment"))) {
            throw new IllegalArgumentException("deployNoise.scope names the labels of service and environment, and only those");
        }
    }

    /** The matchers, and the release's service and environment, as Alertmanager's API takes them. */
    public List<LabelMatcher> matchersFor(String service, String environment) {
        List<LabelMatcher> out = new java.util.ArrayList<>(matchers.stream().map(DeployNoise::parse).toList());
        String why = "the scope names both (checked when made)";
        out.add(new LabelMatcher(Objects.requireNonNull(scope.get("service"), why), service, false, true));
        out.add(new LabelMatcher(Objects.requireNonNull(scope.get("environment"), why), environment, false, true));
        return out;
    }

    static LabelMatcher parse(@Nullable String text) {
        Matcher m = MATCHER.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a matcher (expected name=\"value\", name!=\"value\","
                    + " name=~\"regex\" or name!~\"regex\")");
        }
        String op = m.group(2);
        if (op.contains("~")) {
            Pattern.compile(m.group(3));
        }
        return new LabelMatcher(m.group(1), m.group(3), op.contains("~"), !op.startsWith("!"));
    }
}
