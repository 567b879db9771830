package dev.watchdog.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.watchdog.Json;
import dev.watchdog.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code watchdog release ...}: the API for deploy scripts. Exit 3 when the API cannot be used. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Register, inspect and end release windows through the watchdog's API.",
        subcommands = {ReleaseCommand.Start.class, ReleaseCommand.ListReleases.class, ReleaseCommand.Show.class,
            ReleaseCommand.Ack.class, ReleaseCommand.Rollback.class, ReleaseCommand.Accept.class,
            ReleaseCommand.Finish.class, ReleaseCommand.Cancel.class, ReleaseCommand.Wait.class,
            ReleaseCommand.Report.class})
final class ReleaseCommand {

    static final int API_FAILED = 3;

    /** A command that talks to the API and prints JSON. */
    abstract static class ApiCommand implements Callable<Integer> {
        @Mixin
        ApiClient api;

        @Override
        public Integer call() {
            try {
                return run();
            } catch (ApiClient.Failure e) {
                System.err.println("watchdog: " + e.getMessage());
                return API_FAILED;
            }
        }

        abstract int run() throws ApiClient.Failure;

        static void print(JsonNode node) {
            System.out.println(Json.write(node).isEmpty() ? "" : pretty(node));
        }

        private static String pretty(JsonNode node) {
            try {
                return Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node);
            } catch (JsonProcessingException e) {
                return node.toString();
            }
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Register a release window.")
    static final class Start extends ApiCommand {
        @Option(names = "--service", required = true) String service;
        @Option(names = "--version", required = true) String version;
        @Option(names = "--previous-version") String previousVersion;
        @Option(names = "--environment", required = true) String environment;
        @Option(names = "--label", description = "NAME=VALUE, repeatable.") Map<String, String> labels = new LinkedHashMap<>();
        @Option(names = "--window", description = "How long to watch (default from the config, 24h).") String window;
        @Option(names = "--bake", description = "When a quiet release is judged healthy (default 30m).") String bake;
        @Option(names = "--rollback", description = "Rollback target (default: default).") String rollback;
        @Option(names = {"-q", "--quiet"}, description = "Print only the release id.") boolean quiet;

        @Override
        int run() throws ApiClient.Failure {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("service", service);
            body.put("version", version);
            body.put("previousVersion", previousVersion);
            body.put("environment", environment);
            body.put("labels", labels);
            body.put("window", window);
            body.put("bake", bake);
            body.put("rollback", rollback);
            body.values().removeIf(v -> v == null);
            JsonNode release = api.post("/api/v1/releases", body);
            if (quiet) {
                System.out.println(release.path("id").asText());
            } else {
                print(release);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List releases, newest first.")
    static final class ListReleases extends ApiCommand {
        @Option(names = "--state", description = "Only releases in this state.") String state;

        @Override
        int run() throws ApiClient.Failure {
            String query = state == null ? "" : "?state=" + ApiClient.encode(state);
            for (JsonNode r : api.get("/api/v1/releases" + query, Duration.ofSeconds(30))) {
                System.out.printf("%s  %-10s %-16s %-12s %-16s %s%n", r.path("id").asText(), r.path("service").asText(),
                        r.path("version").asText(), r.path("environment").asText(), r.path("state").asText(),
                        r.path("verdict").isNull() ? "-" : r.path("verdict").asText());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a release and its timeline.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run() throws ApiClient.Failure {
            print(api.get("/api/v1/releases/" + ApiClient.encode(id), Duration.ofSeconds(30)));
            for (JsonNode e : api.get("/api/v1/releases/" + ApiClient.encode(id) + "/events", Duration.ofSeconds(30))) {
                System.out.println(e.path("at").asText() + "  " + e.path("type").asText() + "  " + e.path("message").asText());
            }
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Print the release's incident report: a Markdown post-mortem draft.")
    static final class Report extends ApiCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run() throws ApiClient.Failure {
            System.out.print(api.text("/api/v1/releases/" + ApiClient.encode(id) + "/report", Duration.ofSeconds(30)));
            return 0;
        }
    }

    /** A decision about one release, with an optional reason; who decides is the token's name. */
    abstract static class Decide extends ApiCommand {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--reason", description = "Why (recorded with the decision).") String reason;

        @Override
        int run() throws ApiClient.Failure {
            String path = "/api/v1/releases/" + ApiClient.encode(id);
            Map<String, String> body = reason == null ? null : Map.of("reason", reason);
            print(delete() ? api.delete(path, body) : api.post(path + "/" + action(), body));
            return 0;
        }

        abstract String action();

        boolean delete() {
            return false;
        }
    }

    @Command(name = "ack", mixinStandardHelpOptions = true,
            description = "Acknowledge the release's incident: escalation and repeats stop at once.")
    static final class Ack extends Decide {
        @Override
        String action() {
            return "ack";
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "The team decided: roll back now.")
    static final class Rollback extends Decide {
        @Override
        String action() {
            return "rollback";
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true,
            description = "The team decided: keep the release; this breach pages no more unless it worsens.")
    static final class Accept extends Decide {
        @Override
        String action() {
            return "accept";
        }
    }

    @Command(name = "finish", mixinStandardHelpOptions = true, description = "End a window early, healthy.")
    static final class Finish extends Decide {
        @Override
        String action() {
            return "finish";
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a window (no verdict).")
    static final class Cancel extends Decide {
        @Override
        String action() {
            return "cancel";
        }

        @Override
        boolean delete() {
            return true;
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = "Wait for the verdict. Exit 0 healthy, 1 rolled back or failed, 2 still undecided at the timeout.")
    static final class Wait extends ApiCommand {
        private static final Duration LONGEST_POLL = Duration.ofSeconds(60);

        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--timeout", defaultValue = "30m", description = "How long to wait (default ${DEFAULT-VALUE}).") String timeout;

        @Override
        int run() throws ApiClient.Failure {
            Instant deadline = Instant.now().plus(Durations.parse(timeout));
            JsonNode release;
            do {
                Duration left = Duration.between(Instant.now(), deadline);
                Duration poll = left.compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : left.isNegative() ? Duration.ZERO : left;
                release = api.get("/api/v1/releases/" + ApiClient.encode(id) + "/verdict?wait=" + Math.max(0, poll.toMillis()) + "ms",
                        poll.plusSeconds(30));
            } while (!judged(release) && Instant.now().isBefore(deadline));
            String verdict = release.path("verdict").isNull() ? "none" : release.path("verdict").asText();
            System.out.println(id + ": state " + release.path("state").asText() + ", verdict " + verdict);
            return switch (verdict) {
                case "healthy" -> 0;
                case "rolled_back", "failed" -> 1;
                default -> 2;
            };
        }

        private static boolean judged(JsonNode release) {
            String state = release.path("state").asText();
            return !release.path("verdict").isNull()
                    || !(state.equals("watching") || state.equals("degraded") || state.equals("rolling_back"));
        }
    }
}
