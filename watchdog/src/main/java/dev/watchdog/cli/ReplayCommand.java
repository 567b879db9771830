package dev.watchdog.cli;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Durations;
import dev.watchdog.core.Release;
import dev.watchdog.core.Severity;
import dev.watchdog.core.Units;
import dev.watchdog.evaluation.Replay.RuleTimeline;
import dev.watchdog.evaluation.Replay;
import dev.watchdog.judge.RuleState;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.prometheus.RangeQueries;
import dev.watchdog.rules.RuleException;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleSet;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code watchdog replay}: how the rules would have judged a past release; nothing notified, nothing rolled back. */
@Command(name = "replay",
        description = "Judge rules over a past window with query_range and print the timeline of outcomes and the "
                + "first time each rule would have reached P1 and P0. Nothing is notified or rolled back.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:replayed", "1:the rule files have problems", "64:usage error (e.g. a --release without start)",
            "70:internal error"})
final class ReplayCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = "--prometheus", required = true, description = "Prometheus's URL.") String prometheus;
    @Option(names = "--release", required = true,
            description = "service=...,version=...,start=<RFC 3339>[,environment=...][,previousVersion=...][,LABEL=...]")
    String release;
    @Option(names = "--for", defaultValue = "24h", description = "How long after the start to judge (default ${DEFAULT-VALUE}).")
    Duration span;
    @Option(names = "--interval", defaultValue = "15s", description = "For rules without one of their own (default ${DEFAULT-VALUE}).")
    Duration interval;
    @Parameters(arity = "1..*", paramLabel = "FILES", description = "Rule files.") List<Path> files;

    @Override
    public Integer call() {
        RuleSet rules;
        Release r;
        try {
            rules = RuleLoader.load(files);
            r = parseRelease(release);
        } catch (RuleException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (IllegalArgumentException | DateTimeException e) {
            System.err.println("watchdog replay: --release: " + e.getMessage());
            return ExitCode.USAGE;
        }
        Instant to = earliest(r.startedAt().plus(span), Instant.now());
        Vertx vertx = Vertx.vertx();
        try {
            PrometheusClient client = new PrometheusClient(vertx, new WatchdogConfig.Prometheus(prometheus, null, null, null),
                    new WatchdogMetrics());
            Map<String, RuleTimeline> timelines = Replay.run(rules, r, to, interval,
                    step -> new RangeQueries(client, step));
            print(System.out, r, to, timelines);
            return 0;
        } finally {
            vertx.close().await();
        }
    }

    static void print(PrintStream out, Release r, Instant to, Map<String, RuleTimeline> timelines) {
        out.printf("Replay of %s %s (%s) from %s to %s; nothing notified, nothing rolled back%n", r.service(), r.version(),
                r.environment(), r.startedAt(), to);
        for (RuleTimeline t : timelines.values()) {
            out.printf("%n%s (every %s)%s%n", t.rule().name(), Durations.format(t.interval()), t.rule().dryRun() ? " [dry run]" : "");
            for (RuleState s : t.changes()) {
                String value = s.value() == null ? "" : Units.format(t.rule().presentation().unit(), s.value());
                String baseline = s.baseline() == null ? "" : " (baseline " + Units.format(t.rule().presentation().unit(), s.baseline()) + ")";
                String message = s.message() == null ? "" : "  " + s.message();
                Instant at = Objects.requireNonNull(s.evaluatedAt(), "a replayed state was evaluated");
                out.printf("  %s  %-10s %-12s %s%s%s%n", at, "T+" + since(r, at),
                        s.outcome().label(), value, baseline, message);
                if (s.evidence() != null) {
                    out.printf("  %-32s %s%n", "", s.evidence().text());
                }
            }
        }
        out.printf("%n%-28s %-32s %s%n", "rule", "first P1", "first P0");
        for (RuleTimeline t : timelines.values()) {
            out.printf("%-28s %-32s %s%n", t.rule().name(), first(r, t, Severity.P1), first(r, t, Severity.P0));
        }
    }

    /** When the rule first counted {@code severity}; a rule that never judged says why: no data, or never judged. */
    private static String first(Release r, RuleTimeline t, Severity severity) {
        Instant at = t.first(severity);
        if (at != null) {
            return at + " (T+" + since(r, at) + ")";
        }
        return t.everJudged() ? "never" : t.states().stream().allMatch(s -> s.value() == null) ? "no data" : "never judged";
    }

    private static String since(Release r, Instant at) {
        return Durations.format(Duration.between(r.startedAt(), at));
    }

    /** {@code service=api,version=1.4.0,start=2026-11-20T10:00:00Z,...}: other keys are labels. */
    static Release parseRelease(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not KEY=VALUE");
            }
            fields.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        String service = require(fields, "service");
        String version = require(fields, "version");
        Instant start = Instant.parse(require(fields, "start"));
        String environment = fields.getOrDefault("environment", "production");
        String previous = fields.get("previousVersion");
        List.of("service", "version", "start", "environment", "previousVersion").forEach(fields::remove);
        return Release.hypothetical("replay", service, version, previous, environment, fields, start);
    }

    private static String require(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
