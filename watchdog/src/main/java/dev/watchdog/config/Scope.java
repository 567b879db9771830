package dev.watchdog.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a deployer or on-call token may act on: releases whose service matches one of
 * {@code services} and whose environment matches one of {@code environments}. Each is a glob
 * ({@code *} any run of characters, {@code ?} one), matching the whole name. Optional: each list
 * (absent or empty: any).
 */
public record Scope(List<String> services, List<String> environments) {

    public Scope {
        services = services == null ? List.of() : List.copyOf(services);
        environments = environments == null ? List.of() : List.copyOf(environments);
        if (services.isEmpty() && environments.isEmpty()) {
            throw new IllegalArgumentException("scope needs services, environments or both");
        }
        for (String glob : concat(services, environments)) {
            if (glob == null || glob.isBlank()) {
                throw new IllegalArgumentException("scope: a service or environment glob is empty");
            }
        }
    }

    /** Whether a release of this service in this environment is in scope. */
    public boolean allows(String service, String environment) {
        return any(services, service) && any(environments, environment);
    }

    /** As the 403 says it: {@code services api, web-*; environments staging}. */
    public String describe() {
        return (services.isEmpty() ? "" : "services " + String.join(", ", services))
                + (services.isEmpty() || environments.isEmpty() ? "" : "; ")
                + (environments.isEmpty() ? "" : "environments " + String.join(", ", environments));
    }

    private static boolean any(List<String> globs, String name) {
        return globs.isEmpty() || globs.stream().anyMatch(g -> glob(g).matcher(name).matches());
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("(?=[*?])|(?<=[*?])")) {
            regex.append(part.equals("*") ? ".*" : part.equals("?") ? "." : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
