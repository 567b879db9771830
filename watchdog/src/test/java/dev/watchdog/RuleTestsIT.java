package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Cli;
import dev.watchdog.testing.RealProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * watchdog test against Prometheus's own promtool and server: the shipped rule sets, the corpus of
 * release histories judged by every shipped rule, and wrong expectations.
 */
class RuleTestsIT {

    static final Path SHIPPED = Path.of("..", "rules", "tests");
    static final Path CORPUS = SHIPPED.resolve("corpus");

    @BeforeAll
    static void binaries() {
        RealProcess.binary("promtool", "prometheus");
        RealProcess.binary("prometheus", "prometheus");
    }

    static List<String> tests(Path dir) throws IOException {
        try (Stream<Path> found = Files.list(dir)) {
            return found.filter(p -> p.toString().endsWith(".test.yml")).map(Path::toString).sorted().toList();
        }
    }

    static Cli.Result run(List<String> files) {
        return Cli.run(Stream.concat(Stream.of("test"), files.stream()).toArray(String[]::new));
    }

    @Test
    @DisplayName("every shipped rule set passes its tests")
    void shippedRuleSets() throws Exception {
        List<String> files = tests(SHIPPED);
        List<String> sets = List.of("golden-signals", "healthy-at-t30m", "baseline", "business", "slo",
                "critical-functions", "smoke");
        assertEquals(sets.size(), files.size(), files.toString());
        Cli.Result result = run(files);
        assertEquals(0, result.code(), result.out());
        for (String set : sets) {
            assertTrue(result.out().contains("PASSED " + SHIPPED.resolve(set + ".test.yml")), result.out());
        }
    }

    @Test
    @DisplayName("every release history of the corpus gets the verdict of the release criteria from the shipped rules")
    void corpus() throws Exception {
        List<String> files = tests(CORPUS);
        assertTrue(files.size() >= 39, "the corpus has lost cases: " + files);
        long started = System.nanoTime();
        Cli.Result result = run(files);
        System.out.printf("corpus: %d release histories in %.1f s%n", files.size(), (System.nanoTime() - started) / 1e9);
        assertEquals(0, result.code(), result.out());
        assertEquals(files.size(), result.out().lines().filter(l -> l.startsWith("PASSED ")).count(), result.out());
    }

    @Test
    @DisplayName("wrong expectations fail with exit 1 and a readable difference each, in the rule's unit")
    void wrongExpectation() {
        Cli.Result result = Cli.run("test", "src/test/resources/rule-tests/wrong.test.yml");
        assertEquals(1, result.code(), result.out());
        assertTrue(result.out().contains("FAILED src/test/resources/rule-tests/wrong.test.yml:"), result.out());
        assertTrue(result.out().contains("a wrong expectation: error-rate at 50m: outcome: expected p0, got p1 "
                + "[value 2.91 %, threshold > 1 %]"), result.out());
        assertTrue(!result.out().contains("error-rate at 25m"), "the right expectation is not reported: " + result.out());
        assertTrue(result.out().contains("a wrong expectation: never p1 from the release to 50m: error-rate counted p1 "
                + "at 35m [value 2.34 %, threshold > 1 %]"), result.out());
        assertTrue(result.out().contains("a wrong expectation: reach p0 within 5m of 'sum(rate(http_requests_total"
                + "{service=\"api\",status=\"500\"}[5m])) > 0': it held at 32m, and no rule counted p0 by 37m (never)"),
                result.out());
    }

    @Test
    @DisplayName("select and match as the daemon judges them: each service on its own series, the shop rules for the shop "
            + "alone, a dip within chance inconclusive; an expectation about a rule that does not apply fails, saying so")
    void fleet() {
        Cli.Result result = Cli.run("test", "src/test/resources/rule-tests/fleet.test.yml");
        assertEquals(1, result.code(), result.out());
        assertEquals(List.of("FAILED src/test/resources/rule-tests/fleet.test.yml:",
                "  the same history seen from the api: orders: does not apply to the test's release (group shops matches "
                        + "service=~\"shop-.*\")"), result.out().lines().toList());
    }

    @Test
    @DisplayName("without promtool it says what is missing and how to get it, exit 64: it cannot run as called")
    void missingPromtool() {
        Cli.Result result = Cli.run("test", "--promtool", "/nonexistent/promtool",
                "src/test/resources/rule-tests/wrong.test.yml");
        assertEquals(64, result.code(), result.out());
        assertTrue(result.out().contains("promtool was not found: apt-get install -y --no-install-recommends prometheus"),
                result.out());
    }
}
