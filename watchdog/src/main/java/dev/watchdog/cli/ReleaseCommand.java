package dev.watchdog.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.core.Durations;
import dev.watchdog.core.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code watchdog release ...}: the API for deploy scripts. Exit 3 when the API cannot be used. */
@Command(name = "release",
        description = "Register, inspect and end release windows through the watchdog's API.",
        exitCodeListHeading = "%nExit codes (each subcommand's help lists its own):%n",
        exitCodeList = {"0:done", "1:release wait: rolled back, or the rollback failed", "2:release wait: no verdict yet",
            "3:the watchdog could not be reached, or refused", "64:usage error", "70:internal error"},
        subcommands = {ReleaseCommand.Start.class, ReleaseCommand.ListReleases.class, ReleaseCommand.Show.class,
            ReleaseCommand.Ack.class, ReleaseCommand.Rollback.class, ReleaseCommand.Accept.class,
            ReleaseCommand.Finish.class, ReleaseCommand.Cancel.class, ReleaseWait.class, ReleaseCommand.Report.class})
final class ReleaseCommand implements Runnable {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** {@code watchdog release} alone: a usage error that lists the subcommands. */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a subcommand: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** How list and show print: text for people, JSON (and nothing else on stdout) for scripts. */
    enum Format { text, json }

    /** A command that talks to the API. */
    abstract static class ApiCommand implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Mixin
        ApiClient api;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            api.requireUrl(spec.commandLine());
            try {
                return run();
            } catch (ApiClient.Failure e) {
                System.err.println(spec.qualifiedName() + ": " + e.getMessage());
                return ExitCode.API;
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

    @Command(name = "start", description = {"Register a release window; prints the release as JSON, or only its id with -q.",
        "Durations in Prometheus notation: 30m, 1h30m, 1d."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:registered",
                "3:the watchdog could not be reached, or refused (a field it does not take, a token without the deployer role)",
                "64:usage error", "70:internal error"})
    static final class Start extends ApiCommand {
        @Option(names = "--service", required = true, description = "The service deployed, e.g. api.") String service;
        @Option(names = "--version", required = true, description = "The version now serving, e.g. 1.4.0.") String version;
        @Option(names = "--previous-version", description = "The version it replaced (what a rollback returns to).")
        @Nullable String previousVersion;
        @Option(names = "--environment", required = true, description = "Where it was deployed, e.g. production.")
        String environment;
        @Option(names = "--label", paramLabel = "NAME=VALUE", description = "A label for the rules' templates; repeatable.")
        Map<String, String> labels = new LinkedHashMap<>();
        @Option(names = "--window", description = "How long to watch (default: the config's, 24h).")
        @Nullable Duration window;
        @Option(names = "--bake", description = "Quiet this long means healthy (default 30m).") @Nullable Duration bake;
        @Option(names = "--policy", description = "The escalation policy in the config (default: default).")
        @Nullable String policy;
        @Option(names = "--rollback", description = "The rollback target in the config (default: default).")
        @Nullable String rollback;
        @Option(names = {"-q", "--quiet"}, description = "Print only the release id.") boolean quiet;

        @Override
        int run() throws ApiClient.Failure {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("service", service);
            body.put("version", version);
            body.put("previousVersion", previousVersion);
            body.put("environment", environment);
            body.put("labels", labels);
            body.put("window", window == null ? null : Durations.format(window));
            body.put("bake", bake == null ? null : Durations.format(bake));
            body.put("policy", policy);
            body.put("rollback", rollback);
            body.values().removeIf(v -> v == null);
            JsonNode release = api.post("/api/v1/releases", body);
            if (quiet) {
                System.out.println(release.path("id").asText());
            } else {
                print(release);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "list", description = "List releases, newest first: id, service, version, environment, age, state, "
            + "verdict.", exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:listed",
                "3:the watchdog could not be reached, or refused", "64:usage error", "70:internal error"})
    static final class ListReleases extends ApiCommand {
        @Option(names = "--state", description = "Only releases in this state: watching, degraded, rolling_back, "
                + "rolled_back, rollback_failed, passed, cancelled.") @Nullable String state;
        @Option(names = "--service", description = "Only releases of this service.") @Nullable String service;
        @Option(names = "--environment", description = "Only releases in this environment.") @Nullable String environment;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (1 to 1000; default 100).")
        int limit;
        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text (default) or json: the API's array, and nothing else on stdout.") Format output;

        @Override
        int run() throws ApiClient.Failure {
            StringBuilder query = new StringBuilder("?limit=").append(limit);
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("state", state);
            filters.put("service", service);
            filters.put("environment", environment);
            filters.forEach((name, value) -> query.append(value == null ? "" : "&" + name + "=" + ApiClient.encode(value)));
            JsonNode releases = api.get("/api/v1/releases" + query, READ_TIMEOUT);
            if (output == Format.json) {
                print(releases);
            } else {
                System.out.print(ReleaseText.list(releases, Instant.now()));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "show", description = "Show a release: its state, every rule's last outcome, the incident, and its timeline.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:shown", "3:the watchdog could not be reached, or refused "
                + "(404: no such release)", "64:usage error", "70:internal error"})
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The release's id (rel_...).") String id;
        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text (default) or json: the release as the API gives it, with its timeline as \"events\", "
                        + "and nothing else on stdout.") Format output;

        @Override
        int run() throws ApiClient.Failure {
            String path = "/api/v1/releases/" + ApiClient.encode(id);
            ObjectNode release = (ObjectNode) api.get(path, READ_TIMEOUT);
            ArrayNode events = (ArrayNode) api.get(path + "/events", READ_TIMEOUT);
            if (output == Format.json) {
                release.set("events", events);
                print(release);
            } else {
                System.out.print(ReleaseText.of(release, events));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "report", description = "Print the release's incident report: a Markdown post-mortem draft.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:printed", "3:the watchdog could not be reached, or refused",
                "64:usage error", "70:internal error"})
    static final class Report extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The release's id (rel_...).") String id;

        @Override
        int run() throws ApiClient.Failure {
            System.out.print(api.text("/api/v1/releases/" + ApiClient.encode(id) + "/report", READ_TIMEOUT));
            return ExitCode.OK;
        }
    }

    /**
     * A decision about one release, with an optional reason; who decides is the token's name, or the
     * person named by {@code --as}. Prints one line, or the release with {@code -o json}.
     */
    abstract static class Decide extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The release's id (rel_...).") String id;
        @Option(names = "--reason", description = "Why (recorded with the decision).") @Nullable String reason;
        @Option(names = "--as", paramLabel = "NAME", description = "Who decides, when the token is shared "
                + "(recorded as NAME via the token's name; default: $WATCHDOG_AS).")
        @Nullable String as = System.getenv("WATCHDOG_AS");
        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text (default): one line; json: the release as the API gives it.") Format output;

        @Override
        int run() throws ApiClient.Failure {
            String path = "/api/v1/releases/" + ApiClient.encode(id);
            Map<String, String> body = new LinkedHashMap<>();
            if (reason != null) {
                body.put("reason", reason);
            }
            if (as != null && !as.isBlank()) {
                body.put("as", as);
            }
            // The command's name is the API's action: POST .../ack, .../rollback, .../accept, .../finish.
            Map<String, String> sent = body.isEmpty() ? null : body;
            JsonNode release = delete() ? api.delete(path, sent) : api.post(path + "/" + spec.name(), sent);
            if (output == Format.json) {
                print(release);
            } else {
                System.out.println(ReleaseText.decided(spec.name(), release));
            }
            return ExitCode.OK;
        }

        /** Cancel is {@code DELETE} of the release rather than an action. */
        boolean delete() {
            return false;
        }
    }

    @Command(name = "ack", description = "Acknowledge the release's incident (on-call): paging stops at once.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:acknowledged",
                "3:the watchdog could not be reached, or refused (409: nothing to acknowledge)", "64:usage error",
                "70:internal error"})
    static final class Ack extends Decide {}

    @Command(name = "rollback", description = "The team decided (on-call): roll back now.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:the rollback is under way",
                "3:the watchdog could not be reached, or refused (409: not in a state to roll back)", "64:usage error",
                "70:internal error"})
    static final class Rollback extends Decide {}

    @Command(name = "accept", description = "The team decided (on-call): keep the release; this breach pages no more "
            + "unless it worsens.", exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:accepted",
                "3:the watchdog could not be reached, or refused (409: nothing to accept)", "64:usage error",
                "70:internal error"})
    static final class Accept extends Decide {}

    @Command(name = "finish", description = "End a window early, healthy (deployer).",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:finished",
                "3:the watchdog could not be reached, or refused (409: not watched any more)", "64:usage error",
                "70:internal error"})
    static final class Finish extends Decide {}

    @Command(name = "cancel", description = "Cancel a window, with no verdict (deployer).",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:cancelled",
                "3:the watchdog could not be reached, or refused (409: not watched any more)", "64:usage error",
                "70:internal error"})
    static final class Cancel extends Decide {
        @Override
        boolean delete() {
            return true;
        }
    }
}
