package dev.watchdog.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchdog.Json;
import dev.watchdog.action.Units;
import dev.watchdog.config.Durations;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.evaluation.Judge;
import dev.watchdog.evaluation.Replay;
import dev.watchdog.evaluation.Replay.RuleTimeline;
import dev.watchdog.evaluation.RuleState;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.prometheus.RangeQueries;
import dev.watchdog.prometheus.TemporaryPrometheus;
import dev.watchdog.release.Release;
import dev.watchdog.rules.RuleException;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.SeriesNotation;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watchdog test}: rule unit tests in the spirit of {@code promtool test rules}. Each test's
 * series are backfilled into a Prometheus of its own, a release is registered at a given time, and
 * the rules are judged as the daemon would; expected outcomes are compared at given times.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Run rule test files against a temporary Prometheus (promtool and prometheus from PATH or flags). "
                + "Exit 1 on any failed expectation, 2 when they cannot run.")
final class RuleTestCommand implements Callable<Integer> {

    /** Series times count from here: a fixed day, so that test files read the same everywhere. */
    static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

    @Option(names = "--promtool", description = "promtool's path (default: from PATH).") Path promtool;
    @Option(names = "--prometheus", description = "prometheus's path (default: from PATH).") Path prometheus;
    @Parameters(arity = "1..*", paramLabel = "FILES", description = "Test files.") List<Path> files;

    /** A test file. */
    record TestFile(@JsonProperty("rule_files") List<String> ruleFiles,
                    @JsonProperty("evaluation_interval") Duration evaluationInterval, List<TestCase> tests) {}

    /** One test: series, a release, and what is expected of the rules. */
    record TestCase(String name, Duration interval, @JsonProperty("input_series") List<InputSeries> inputSeries,
                    ReleaseSpec release, List<Expectation> expect) {}

    record InputSeries(String series, String values) {}

    /** The release, registered {@code at} after the series begin. */
    record ReleaseSpec(String service, String version, String previousVersion, String environment,
                       Map<String, String> labels, Duration at) {}

    /** A rule's outcome at a time after the series begin; optionally its value and baseline. */
    record Expectation(String rule, Duration at, String outcome, Double value, Double baseline) {}

    @Override
    public Integer call() {
        TemporaryPrometheus.Binaries binaries;
        try {
            binaries = TemporaryPrometheus.Binaries.find(promtool, prometheus);
        } catch (IllegalStateException e) {
            System.err.println("watchdog test: " + e.getMessage());
            return 2;
        }
        Vertx vertx = Vertx.vertx();
        try {
            int failed = 0;
            for (Path file : files) {
                failed += runFile(vertx, binaries, file);
            }
            return failed == 0 ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("watchdog test: " + e.getMessage());
            return 2;
        } finally {
            vertx.close().await();
        }
    }

    private int runFile(Vertx vertx, TemporaryPrometheus.Binaries binaries, Path file) throws IOException {
        TestFile tf = reader().readValue(file.toFile(), TestFile.class);
        Path dir = file.toAbsolutePath().getParent();
        RuleSet rules;
        try {
            rules = RuleLoader.load(tf.ruleFiles().stream().map(dir::resolve).toList());
        } catch (RuleException e) {
            System.out.println("FAILED " + file + ": its rule files have problems:\n" + e.getMessage());
            return 1;
        }
        Duration interval = tf.evaluationInterval() == null ? Duration.ofMinutes(1) : tf.evaluationInterval();
        List<String> failures = new ArrayList<>();
        int expectations = 0;
        for (int i = 0; i < tf.tests().size(); i++) {
            TestCase test = tf.tests().get(i);
            String name = test.name() == null ? "test " + (i + 1) : test.name();
            failures.addAll(runTest(vertx, binaries, rules, interval, test).stream().map(f -> name + ": " + f).toList());
            expectations += test.expect().size();
        }
        if (failures.isEmpty()) {
            System.out.println("PASSED " + file + ": " + tf.tests().size() + " tests, " + expectations + " expectations");
            return 0;
        }
        System.out.println("FAILED " + file + ":");
        failures.forEach(f -> System.out.println("  " + f));
        return failures.size();
    }

    private static List<String> runTest(Vertx vertx, TemporaryPrometheus.Binaries binaries, RuleSet rules,
                                        Duration interval, TestCase test) throws IOException {
        Duration step = test.interval() == null ? Duration.ofMinutes(1) : test.interval();
        Release release = release(test.release());
        Instant last = test.expect().stream().map(e -> ORIGIN.plus(e.at())).max(Instant::compareTo).orElse(release.startedAt());
        try (TemporaryPrometheus temp = TemporaryPrometheus.start(binaries, openMetrics(test.inputSeries(), step))) {
            PrometheusClient client = new PrometheusClient(vertx,
                    new WatchdogConfig.Prometheus(temp.url(), null, null, null), new WatchdogMetrics());
            Map<String, RuleTimeline> timelines = Replay.run(rules, release, last, interval,
                    every -> new RangeQueries(client, every));
            List<String> failures = new ArrayList<>();
            for (Expectation e : test.expect()) {
                String failure = check(e, timelines.get(e.rule()));
                if (failure != null) {
                    failures.add(failure);
                }
            }
            return failures;
        }
    }

    /** A readable difference, or null when the expectation holds. */
    static String check(Expectation e, RuleTimeline timeline) {
        String where = e.rule() + " at " + Durations.format(e.at());
        if (timeline == null) {
            return where + ": no such rule in the rule files";
        }
        RuleState got = timeline.at(ORIGIN.plus(e.at()));
        if (got == null) {
            return where + ": not evaluated yet (the release starts later)";
        }
        List<String> diffs = new ArrayList<>();
        if (!e.outcome().equals(got.outcome().label())) {
            diffs.add("outcome: expected " + e.outcome() + ", got " + got.outcome().label());
        }
        if (e.value() != null && !close(e.value(), got.value())) {
            diffs.add("value: expected " + e.value() + ", got " + got.value());
        }
        if (e.baseline() != null && !close(e.baseline(), got.baseline())) {
            diffs.add("baseline: expected " + e.baseline() + ", got " + got.baseline());
        }
        if (diffs.isEmpty()) {
            return null;
        }
        List<String> facts = new ArrayList<>();
        if (got.value() != null) {
            facts.add("value " + Units.format(timeline.rule().unit(), got.value()));
        }
        if (got.baseline() != null) {
            facts.add("baseline " + Units.format(timeline.rule().unit(), got.baseline()));
        }
        String threshold = got.value() == null ? "" : Judge.thresholdFor(timeline.rule(), got.value(), got.baseline());
        if (!threshold.isEmpty()) {
            facts.add("threshold " + threshold);
        }
        if (got.message() != null) {
            facts.add(got.message());
        }
        String seen = String.join(", ", facts);
        return where + ": " + String.join("; ", diffs) + (seen.isEmpty() ? "" : " [" + seen + "]");
    }

    private static boolean close(double expected, Double got) {
        return got != null && Math.abs(expected - got) <= 1e-9 + 1e-6 * Math.abs(expected);
    }

    static Release release(ReleaseSpec spec) {
        return Release.hypothetical("test", Objects.requireNonNull(spec.service(), "release.service is required"),
                spec.version() == null ? "new" : spec.version(), spec.previousVersion(),
                spec.environment() == null ? "production" : spec.environment(), spec.labels(), ORIGIN.plus(spec.at()));
    }

    static String openMetrics(List<InputSeries> input, Duration step) {
        Map<String, String> series = new LinkedHashMap<>();
        input.forEach(s -> series.merge(s.series(), s.values(), (a, b) -> a + " " + b));
        return SeriesNotation.openMetrics(series, ORIGIN, step);
    }

    private static ObjectMapper reader() {
        return new ObjectMapper(new YAMLFactory()).registerModule(Json.durations())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
