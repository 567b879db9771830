package dev.watchdog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code watchdog report ...}: figures over many releases, from the watchdog's API. */
@Command(name = "report", description = "Figures over many releases.",
        exitCodeListHeading = "%nExit codes (each subcommand's help lists its own):%n",
        exitCodeList = {"0:done", "3:the watchdog could not be reached, or refused", "64:usage error", "70:internal error"},
        subcommands = {ReportCommand.Dora.class})
final class ReportCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a subcommand: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    @Command(name = "dora", description = {"DORA figures per service and environment: deployments, change failure rate,"
            + " time to detect, time to decide, failed deployment recovery time (docs/deploy-tools.md)."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:printed",
                "3:the watchdog could not be reached, or refused", "64:usage error", "70:internal error"})
    static final class Dora extends ReleaseCommand.ApiCommand {
        @Option(names = "--since", defaultValue = "30d", description = "How far back releases are counted (default 30d,"
                + " at most 365d).") Duration since;
        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text (default) or json: the API's answer, and nothing else on stdout.")
        ReleaseCommand.Format output;

        @Override
        int run() throws ApiClient.Failure {
            JsonNode report = api.get("/api/v1/reports/dora?since=" + since.toSeconds() + "s", Duration.ofSeconds(60));
            if (output == ReleaseCommand.Format.json) {
                print(report);
            } else {
                System.out.print(text(report));
            }
            return ExitCode.OK;
        }

        static String text(JsonNode report) {
            StringBuilder out = new StringBuilder("Releases registered since " + report.path("since").asText() + "\n");
            out.append(String.format(Locale.ROOT, "%-20s %-12s %7s %6s %6s  %-16s %-16s %-16s%n", "SERVICE", "ENVIRONMENT",
                    "DEPLOYS", "FAILED", "CFR", "DETECT p50/p90", "DECIDE p50/p90", "RECOVER p50/p90"));
            for (JsonNode r : report.path("rows")) {
                out.append(String.format(Locale.ROOT, "%-20s %-12s %7d %6d %5.1f%%  %-16s %-16s %-16s%n",
                        r.path("service").asText(), r.path("environment").asText(), r.path("deployments").asInt(),
                        r.path("failed").asInt(), 100 * r.path("changeFailureRate").asDouble(), figure(r.path("timeToDetect")),
                        figure(r.path("timeToDecide")), figure(r.path("recovery"))));
            }
            return out.toString();
        }

        private static String figure(JsonNode f) {
            return f.path("count").asInt() == 0 ? "-" : dev.watchdog.core.Durations.format(
                    Duration.ofSeconds(f.path("medianSeconds").asLong())) + "/" + dev.watchdog.core.Durations.format(
                    Duration.ofSeconds(f.path("p90Seconds").asLong())) + " (" + f.path("count").asInt() + ")";
        }
    }
}
