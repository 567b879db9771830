package dev.watchdog.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Json;
import dev.watchdog.prometheus.TemporaryPrometheus;
import dev.watchdog.rules.RuleException;
import dev.watchdog.rules.RuleFiles;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleSet;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watchdog test}: rule unit tests in the spirit of {@code promtool test rules}. Each test's
 * series are backfilled into a Prometheus of its own, a release is registered at a given time, and
 * the rules are judged as the daemon would; expected outcomes are compared at given times.
 */
@Command(name = "test",
        description = "Run rule test files against a temporary Prometheus (promtool and prometheus from PATH or flags).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every expectation held", "1:an expectation failed, or a test's rule files have problems",
            "64:the tests cannot run: promtool or prometheus not found, a test file that cannot be read",
            "70:internal error"})
final class RuleTestCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    /** Series times count from here: a fixed day, so that test files read the same everywhere. */
    static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

    @Option(names = "--promtool", description = "promtool's path (default: from PATH).") @Nullable Path promtool;
    @Option(names = "--prometheus", description = "prometheus's path (default: from PATH).") @Nullable Path prometheus;
    @Option(names = "--jobs", description = "Tests run at once, each with its own Prometheus (default: the number of cores).")
    int jobs = Runtime.getRuntime().availableProcessors();
    @Parameters(arity = "1..*", paramLabel = "FILES", description = "Test files.") List<Path> files;

    /** A test file. */
    record TestFile(@JsonProperty("rule_files") List<String> ruleFiles,
                    @JsonProperty("evaluation_interval") @Nullable Duration evaluationInterval, List<TestCase> tests) {}

    /** One test: series, a release, and what is expected of the rules. */
    record TestCase(String name, @Nullable Duration interval, @JsonProperty("input_series") List<InputSeries> inputSeries,
                    ReleaseSpec release, List<Expectation> expect) {}

    record InputSeries(String series, String values) {}

    /** The release, registered {@code at} after the series begin. */
    record ReleaseSpec(@Nullable String service, @Nullable String version, @Nullable String previousVersion,
                       @Nullable String environment, @Nullable Map<String, String> labels, Duration at) {}

    /**
     * One of: a rule's outcome {@code at} a time after the series begin (optionally its value and
     * baseline); {@code never: p0|p1} from {@code from} to {@code to} (default: the whole replay), no rule
     * (or {@code rule}) counts that severity or worse; {@code reach: p0|p1} some rule (or {@code rule})
     * counts it at or before {@code by}, or {@code within} of the first evaluation at which the PromQL
     * {@code crossing} returns something (and, for p0, not before it).
     */
    record Expectation(@Nullable String rule, @Nullable Duration at, @Nullable String outcome, @Nullable Double value,
                       @Nullable Double baseline, @Nullable String never, @Nullable String reach, @Nullable Duration from,
                       @Nullable Duration to, @Nullable Duration by, @Nullable String crossing, @Nullable Duration within) {

        /** What is wrong with the expectation's shape, or null. */
        @Nullable String shapeProblem() {
            boolean point = at != null || outcome != null;
            int kinds = (point ? 1 : 0) + (never != null ? 1 : 0) + (reach != null ? 1 : 0);
            if (kinds != 1) {
                return "an expectation is one of {rule, at, outcome}, {never, from, to}, {reach, by} or {reach, crossing, within}";
            }
            if (point && (rule == null || at == null || outcome == null)) {
                return "an outcome expectation needs rule, at and outcome";
            }
            boolean byCrossing = crossing != null && within != null;
            if (reach != null && ((by == null) == !byCrossing || (crossing != null && within == null))) {
                return "reach needs either by, or crossing and within";
            }
            String level = never != null ? never : reach;
            return level == null || level.equals("p0") || level.equals("p1") ? null
                    : "never and reach take p0 or p1, not '" + level + "'";
        }

        /** The last time the expectation names. */
        Optional<Duration> last() {
            return Stream.of(at, to, by, from).filter(Objects::nonNull).max(Duration::compareTo);
        }
    }

    @Override
    public Integer call() {
        TemporaryPrometheus.Binaries binaries;
        try {
            binaries = TemporaryPrometheus.Binaries.find(promtool, prometheus);
        } catch (IllegalStateException e) {
            System.err.println("watchdog test: " + e.getMessage());
            return ExitCode.USAGE;
        }
        Vertx vertx = Vertx.vertx();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs));
        try {
            List<Loaded> loaded = new ArrayList<>();
            for (Path file : files) {
                loaded.add(load(file, test -> pool.submit(() -> RuleTestRun.run(vertx, binaries, test))));
            }
            int failed = 0;
            for (Loaded file : loaded) {
                failed += report(file);
            }
            return failed == 0 ? 0 : 1;
        } catch (IOException e) {
            System.err.println("watchdog test: " + e.getMessage());
            return ExitCode.USAGE;
        } finally {
            pool.shutdownNow();
            vertx.close().await();
        }
    }

    /** A test file with its tests started (each a list of failures to come), or why its rules did not load. */
    private record Loaded(Path file, TestFile tests, List<Future<List<String>>> results,
                          @Nullable String problem) {}

    private Loaded load(Path file, Function<RuleTestRun.Test, Future<List<String>>> start) throws IOException {
        TestFile tf = reader().readValue(file.toFile(), TestFile.class);
        Path dir = ConfigLoader.directory(file);
        RuleSet rules;
        try {
            rules = RuleLoader.load(RuleFiles.expand(dir, tf.ruleFiles()));
        } catch (RuleException e) {
            return new Loaded(file, tf, List.of(), e.getMessage());
        }
        Duration interval = tf.evaluationInterval() == null ? Duration.ofMinutes(1) : tf.evaluationInterval();
        List<Future<List<String>>> results = new ArrayList<>();
        for (TestCase test : tf.tests()) {
            results.add(start.apply(new RuleTestRun.Test(rules, interval, test)));
        }
        return new Loaded(file, tf, results, null);
    }

    /** Prints a file's result; returns its number of failures. */
    private static int report(Loaded loaded) throws IOException {
        if (loaded.problem() != null) {
            System.out.println("FAILED " + loaded.file() + ": its rule files have problems:\n" + loaded.problem());
            return 1;
        }
        List<String> failures = new ArrayList<>();
        int expectations = 0;
        for (int i = 0; i < loaded.results().size(); i++) {
            TestCase test = loaded.tests().tests().get(i);
            String name = test.name() == null ? "test " + (i + 1) : test.name();
            failures.addAll(result(loaded.results().get(i)).stream().map(f -> name + ": " + f).toList());
            expectations += test.expect().size();
        }
        if (failures.isEmpty()) {
            System.out.println("PASSED " + loaded.file() + ": " + loaded.results().size() + " tests, " + expectations
                    + " expectations");
            return 0;
        }
        System.out.println("FAILED " + loaded.file() + ":");
        failures.forEach(f -> System.out.println("  " + f));
        return failures.size();
    }

    private static List<String> result(Future<List<String>> running) throws IOException {
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static ObjectMapper reader() {
        return new ObjectMapper(new YAMLFactory()).registerModule(Json.durations())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
