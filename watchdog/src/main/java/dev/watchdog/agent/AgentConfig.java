package dev.watchdog.agent;

import dev.watchdog.config.Limits;
import dev.watchdog.core.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The rollback agent's config ({@code agent.yml}), immutable, validated at load. Required: secret
 * (the watchdog's rollback webhook secret), actions. Optional: listen (default 0.0.0.0:9095),
 * maxAge (5m: how far a call's timestamp may be from now, either way), journal (data/agent.db,
 * relative to the config file), logOutputBytes (4096: how much of a step's output, its end, is logged),
 * limits (what one client may hold of the agent: {@link Limits}).
 */
public record AgentConfig(String listen, Secret secret, Duration maxAge, String journal, Integer logOutputBytes,
                          List<Action> actions, Limits limits) {

    public AgentConfig {
        listen = listen == null ? "0.0.0.0:9095" : listen;
        port(listen);
        Objects.requireNonNull(secret, "secret is required: the agent runs nothing unsigned");
        maxAge = maxAge == null ? Duration.ofMinutes(5) : positive(maxAge, "maxAge");
        journal = journal == null || journal.isBlank() ? "data/agent.db" : journal;
        logOutputBytes = logOutputBytes == null ? 4096 : logOutputBytes;
        if (logOutputBytes < 0) {
            throw new IllegalArgumentException("logOutputBytes must not be negative");
        }
        if (actions == null || actions.isEmpty()) {
            throw new IllegalArgumentException("actions: at least one action is required");
        }
        actions = List.copyOf(actions);
        unique(actions.stream().map(Action::name).toList(), "action names");
        limits = limits == null ? Limits.DEFAULT : limits;
        if (maxAge.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("maxAge must be at most 1d: a signed call is a replay after that");
        }
    }

    public String host() {
        return listen.substring(0, listen.lastIndexOf(':'));
    }

    public int port() {
        return port(listen);
    }

    /** The journal's file: a relative path is taken from the config file's directory. */
    public Path journalFile(Path configDir) {
        return configDir.resolve(journal);
    }

    /** The first action whose match fits, as the config lists them; none if no action fits. */
    Optional<Action> actionFor(Call call) {
        return actions.stream().filter(a -> a.match().test(call)).findFirst();
    }

    /** What to do for the releases it matches: steps, in order; the first that fails ends the run. */
    public record Action(String name, Match match, List<Step> steps) {
        public Action {
            requireName(name, "action");
            match = match == null ? new Match(null, null, Map.of()) : match;
            if (steps == null || steps.isEmpty()) {
                throw new IllegalArgumentException("action " + name + ": at least one step is required");
            }
            steps = List.copyOf(steps);
            unique(steps.stream().map(Step::name).toList(), "step names of action " + name);
        }
    }

    /**
     * Which releases an action is for. Each value is a regular expression that must match the whole
     * field ({@code api|web}; a plain name matches only itself). Optional: all (absent matches any).
     */
    public record Match(@Nullable String service, @Nullable String environment, Map<String, String> labels) {
        public Match {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            compile(service, "match.service");
            compile(environment, "match.environment");
            labels.forEach((k, v) -> compile(v, "match.labels." + k));
        }

        boolean test(Call call) {
            return fits(service, call.service()) && fits(environment, call.environment())
                    && labels.entrySet().stream().allMatch(e -> fits(e.getValue(), call.labels().get(e.getKey())));
        }

        private static boolean fits(@Nullable String regex, @Nullable String value) {
            return regex == null || (value != null && Pattern.compile(regex).matcher(value).matches());
        }

        private static void compile(@Nullable String regex, String where) {
            try {
                if (regex != null) {
                    Pattern.compile(regex);
                }
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(where + ": '" + regex + "' is not a regular expression: "
                        + e.getDescription());
            }
        }
    }

    /**
     * One step: exactly one of command (argv, never through a shell; {@code {{name}}} filled per
     * argument) or http. Optional: env (added to the command's environment; values are secrets),
     * workingDir (default the config file's directory), timeout (5m for a command, 30s for http).
     */
    public record Step(String name, @Nullable List<String> command, Map<String, Secret> env,
                       @Nullable String workingDir, Duration timeout, @Nullable Http http) {
        public Step {
            requireName(name, "step");
            if ((command == null) == (http == null)) {
                throw new IllegalArgumentException("step " + name + ": needs exactly one of command, http");
            }
            if (command != null && (command.isEmpty() || command.get(0).isBlank())) {
                throw new IllegalArgumentException("step " + name + ": command needs a program");
            }
            command = command == null ? null : List.copyOf(command);
            try {
                if (command != null) {
                    command.forEach(Placeholders::check);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("step " + name + ": " + e.getMessage());
            }
            env = env == null ? Map.of() : Map.copyOf(env);
            timeout = timeout != null ? positive(timeout, "timeout")
                    : http != null ? Duration.ofSeconds(30) : Duration.ofMinutes(5);
        }
    }

    /**
     * An HTTP call; 2xx is success. Required: url ({@code {{name}}} allowed in the path and query,
     * each value percent-encoded, never in the scheme, host or port; never logged, it may carry a token). Optional: method (POST), headers (secrets), body (a template).
     */
    public record Http(String url, String method, Map<String, Secret> headers, @Nullable String body) {
        public Http {
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new IllegalArgumentException("http.url must be an absolute http(s) URL");
            }
            Placeholders.check(url);
            Placeholders.originEnd(url);
            method = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
            if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                throw new IllegalArgumentException("http.method must be one of GET, POST, PUT, PATCH, DELETE");
            }
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            if (body != null) {
                Placeholders.check(body);
            }
        }
    }

    private static void requireName(String name, String what) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("every " + what + " needs a name matching [A-Za-z0-9_.-]+");
        }
    }

    private static void unique(List<String> names, String what) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException(what + " must be unique: '" + n + "' twice");
            }
        }
    }

    private static Duration positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    private static int port(String listen) {
        int colon = listen.lastIndexOf(':');
        try {
            int port = Integer.parseInt(listen.substring(colon + 1));
            if (colon > 0 && port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("listen '" + listen + "' is not HOST:PORT");
    }
}
