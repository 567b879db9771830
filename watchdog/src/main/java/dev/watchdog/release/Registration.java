package dev.watchdog.release;

import dev.watchdog.core.Release;
import dev.watchdog.rules.Template;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The body a deploy script posts to register a release window. Optional: previousVersion, labels, window, bake, policy, rollback. */
public record Registration(
        @Nullable String service,
        @Nullable String version,
        @Nullable String previousVersion,
        @Nullable String environment,
        @Nullable Map<String, String> labels,
        @Nullable Duration window,
        @Nullable Duration bake,
        @Nullable String policy,
        @Nullable String rollback) {

    /** A release is judged healthy at T+30m by default. */
    static final Duration DEFAULT_BAKE = Duration.ofMinutes(30);
    /** The longest window one may ask for: a month of watching one release is a typo, not a plan. */
    public static final Duration MAX_WINDOW = Duration.ofDays(30);
    /** Service, version, environment, policy and rollback target; label names too. */
    public static final int MAX_NAME = 128;
    public static final int MAX_LABEL_VALUE = 256;
    public static final int MAX_LABELS = 32;
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> RESERVED = Set.of("service", "version", "previous_version", "environment",
            Template.WINDOW);

    /** Checks every field and makes the release, or throws a 400 naming the first bad field. */
    public Release toRelease(Instant now, Duration defaultWindow, Set<String> rollbackTargets, Set<String> policies,
                             Set<String> variables) {
        return toRelease(now, defaultWindow, rollbackTargets, policies, r -> variables);
    }

    /**
     * As above; {@code variables} gives the template variables a release must supply: those of the
     * rules that apply to it.
     */
    public Release toRelease(Instant now, Duration defaultWindow, Set<String> rollbackTargets, Set<String> policies,
                             Function<Release, Set<String>> variables) {
        String checkedService = required("service", service);
        String checkedVersion = required("version", version);
        String checkedEnvironment = required("environment", environment);
        value("previousVersion", previousVersion, false, MAX_NAME);
        Map<String, String> given = checkedLabels();
        Duration w = window == null ? defaultWindow : positive("window", window);
        if (w.compareTo(MAX_WINDOW) > 0) {
            throw ReleaseException.badInput("window", "window must be at most " + MAX_WINDOW.toDays() + "d");
        }
        Duration b = bake == null ? min(DEFAULT_BAKE, w) : positive("bake", bake);
        if (b.compareTo(w) > 0) {
            throw ReleaseException.badInput("bake", "bake must not be longer than window");
        }
        String target = known("rollback", rollback, rollbackTargets, "rollback target");
        String policyName = known("policy", policy, policies, "escalation policy");
        Release release = new Release(Ids.next(now), checkedService, checkedVersion, previousVersion, checkedEnvironment,
                given, w, b, policyName, target, Release.State.WATCHING, null, now, now.plus(b), now.plus(w), null, null);
        requireVariables(release, variables.apply(release));
        return release;
    }

    private Map<String, String> checkedLabels() {
        Map<String, String> given = labels == null ? Map.of() : labels;
        if (given.size() > MAX_LABELS) {
            throw ReleaseException.badInput("labels", "at most " + MAX_LABELS + " labels (there are " + given.size() + ")");
        }
        given.forEach((name, v) -> {
            labelName(name);
            value("labels." + name, v, true, MAX_LABEL_VALUE);
        });
        return given;
    }

    private static void labelName(String name) {
        String field = name.isEmpty() ? "labels" : "labels." + FieldText.excerpt(name);
        String problem = name.length() > MAX_NAME ? "label names must be at most " + MAX_NAME + " characters"
                : !LABEL_NAME.matcher(name).matches() ? "label names must be Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*"
                : name.startsWith("__") ? "label names starting with __ are reserved by Prometheus"
                : RESERVED.contains(name) ? "a label cannot be named " + String.join(", ", RESERVED.stream().sorted().toList())
                + ": those are given by their own fields"
                : null;
        if (problem != null) {
            throw ReleaseException.badInput(field, problem);
        }
    }

    /** A name that must be given, checked as {@link #value} checks it. */
    private static String required(String field, @Nullable String value) {
        value(field, value, true, MAX_NAME);
        return Objects.requireNonNull(value, "value() refuses a missing required value");
    }

    private static void value(String field, @Nullable String value, boolean required, int maxLength) {
        if (value == null) {
            if (required) {
                throw ReleaseException.badInput(field, field + " is required");
            }
            return;
        }
        String problem = FieldText.problem(value, maxLength);
        String unsafe = problem != null ? problem : Template.unsafeBecause(value);
        if (unsafe != null) {
            throw ReleaseException.badInput(field, field + " " + unsafe);
        }
    }

    /** A name from the config (rollback target, escalation policy); {@code default} when not given. */
    private static String known(String field, @Nullable String given, Set<String> names, String what) {
        String name = given == null ? "default" : given;
        value(field, name, true, MAX_NAME);
        if (!names.contains(name)) {
            throw ReleaseException.badInput(field, "no " + what + " '" + FieldText.excerpt(name) + "' in the config");
        }
        return name;
    }

    private static void requireVariables(Release release, Set<String> variables) {
        for (String variable : variables) {
            if (!release.templateValues().containsKey(variable)) {
                throw ReleaseException.badInput(variable.equals("previous_version") ? "previousVersion" : "labels." + variable,
                        "the rules that apply to this release use {{" + variable + "}}, so it must be given");
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration positive(String field, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw ReleaseException.badInput(field, field + " must be longer than 0");
        }
        return d;
    }
}
