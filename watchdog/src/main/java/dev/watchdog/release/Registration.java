package dev.watchdog.release;

import dev.watchdog.rules.Template;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The body a deploy script posts to register a release window. Optional: previousVersion, labels, window, bake, policy, rollback. */
public record Registration(
        String service,
        String version,
        String previousVersion,
        String environment,
        Map<String, String> labels,
        Duration window,
        Duration bake,
        String policy,
        String rollback) {

    /** Seed 003: a release is judged healthy at T+30m. */
    static final Duration DEFAULT_BAKE = Duration.ofMinutes(30);
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> RESERVED = Set.of("service", "version", "previous_version", "environment");

    /** Checks every field and makes the release, or throws a 400 naming the first bad field. */
    public Release toRelease(Instant now, Duration defaultWindow, Set<String> rollbackTargets, Set<String> policies,
                             Set<String> variables) {
        value("service", service, true);
        value("version", version, true);
        value("environment", environment, true);
        value("previousVersion", previousVersion, false);
        Map<String, String> given = labels == null ? Map.of() : labels;
        given.forEach((name, v) -> {
            if (!LABEL_NAME.matcher(name).matches() || RESERVED.contains(name)) {
                throw ReleaseException.badInput("labels." + name, "label names must match [a-zA-Z_][a-zA-Z0-9_]* and not be "
                        + String.join(", ", RESERVED.stream().sorted().toList()));
            }
            value("labels." + name, v, true);
        });
        Duration w = window == null ? defaultWindow : positive("window", window);
        Duration b = bake == null ? min(DEFAULT_BAKE, w) : positive("bake", bake);
        if (b.compareTo(w) > 0) {
            throw ReleaseException.badInput("bake", "bake must not be longer than window");
        }
        String target = rollback == null ? "default" : rollback;
        if (!rollbackTargets.contains(target)) {
            throw ReleaseException.badInput("rollback", "no rollback target '" + target + "' in the config");
        }
        String policyName = policy == null ? "default" : policy;
        if (!policies.contains(policyName)) {
            throw ReleaseException.badInput("policy", "no escalation policy '" + policyName + "' in the config");
        }
        Release release = new Release(Ids.next(now), service, version, previousVersion, environment, given, w, b,
                policyName, target, Release.State.WATCHING, null, now, now.plus(b),
                now.plus(w), null, null);
        for (String variable : variables) {
            if (!release.templateValues().containsKey(variable)) {
                throw ReleaseException.badInput(variable.equals("previous_version") ? "previousVersion" : "labels." + variable,
                        "the rules use {{" + variable + "}}, so it must be given");
            }
        }
        return release;
    }

    private static void value(String field, String value, boolean required) {
        if (value == null) {
            if (required) {
                throw ReleaseException.badInput(field, field + " is required");
            }
            return;
        }
        String unsafe = Template.unsafeBecause(value);
        if (unsafe != null) {
            throw ReleaseException.badInput(field, field + " " + unsafe);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration positive(String field, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw ReleaseException.badInput(field, field + " must be positive");
        }
        return d;
    }
}
