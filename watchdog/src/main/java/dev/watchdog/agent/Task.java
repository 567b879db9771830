package dev.watchdog.agent;

import dev.watchdog.core.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A step with its placeholders filled: ready to run. */
sealed interface Task {

    String step();

    Duration timeout();

    /** A program and its arguments, run without a shell. */
    record Run(String step, List<String> argv, Map<String, String> env, Path workingDir, Duration timeout)
            implements Task {
        public Run {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }

        @Override
        public String toString() {
            // env may hold secrets; argv holds only the config's words and checked values.
            return "Run[" + step + " " + argv + "]";
        }
    }

    /** An HTTP request; its URL and headers may carry tokens and are never shown. */
    record Request(String step, String method, String url, Map<String, Secret> headers, @Nullable String body,
                   Duration timeout)
            implements Task {
        public Request {
            headers = Map.copyOf(headers);
        }

        @Override
        public String toString() {
            return "Request[" + step + " " + method + "]";
        }
    }

    /** Fills one configured step from a call; throws a 422 if a value is missing or unsafe. */
    static Task of(AgentConfig.Step step, Map<String, String> values, Path configDir) {
        if (step.http() != null) {
            AgentConfig.Http http = step.http();
            return new Request(step.name(), http.method(), Placeholders.url(http.url(), values), http.headers(),
                    http.body() == null ? null : Placeholders.render(http.body(), values), step.timeout());
        }
        List<String> command = Objects.requireNonNull(step.command(), "a step without http has a command");
        List<String> argv = command.stream().map(arg -> Placeholders.render(arg, values)).toList();
        Map<String, String> env = new java.util.LinkedHashMap<>();
        step.env().forEach((k, v) -> env.put(k, v.value()));
        Path dir = step.workingDir() == null ? configDir : configDir.resolve(step.workingDir());
        return new Run(step.name(), argv, env, dir, step.timeout());
    }
}
