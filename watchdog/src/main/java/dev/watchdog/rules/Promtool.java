package dev.watchdog.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchdog.rules.RuleQueries.Query;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Parses the rules' PromQL with Prometheus's own parser: {@code promtool check rules} on a generated
 * rule file, one recording rule per query, whose name leads each error back to the file, line and
 * field where the query is written.
 */
public final class Promtool {

    /** What to tell someone without promtool. */
    public static final String INSTALL = "apt-get install prometheus (Debian, Ubuntu), or put promtool from a "
            + "Prometheus release on the PATH";
    private static final String RECORD = "watchdog_check_q";
    private static final Pattern ERROR = Pattern.compile(
            "group \"[^\"]*\", rule \\d+, \"" + RECORD + "(\\d+)\": (?:could not parse expression: )?(.*)");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    /** promtool as found on {@code path} (the PATH's value), if it is there. */
    public static Optional<Promtool> onPath(String path) {
        for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return Optional.of(new Promtool(candidate));
            }
        }
        return Optional.empty();
    }

    /** promtool at this path, which must be executable. */
    public static Promtool at(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalArgumentException(binary + " is not an executable promtool");
        }
        return new Promtool(binary);
    }

    /**
     * Every query promtool cannot parse, as a problem at the place the query is written:
     * {@code file:line: rule NAME: expr: <promtool's error>}. Throws {@link IOException} when
     * promtool itself fails (it did not run, or said something we cannot place).
     */
    public List<Problem> check(List<Query> queries) throws IOException {
        if (queries.isEmpty()) {
            return List.of();
        }
        Path file = Files.createTempFile("watchdog-check-", ".yml");
        try {
            Files.writeString(file, ruleFile(queries));
            return problems(queries, run(file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String ruleFile(List<Query> queries) throws IOException {
        List<Map<String, String>> rules = IntStream.range(0, queries.size())
                .mapToObj(i -> Map.of("record", RECORD + i, "expr", queries.get(i).promql())).toList();
        return new ObjectMapper(new YAMLFactory()).writeValueAsString(
                Map.of("groups", List.of(Map.of("name", "watchdog-check", "rules", rules))));
    }

    /** promtool's output, or null when it found nothing wrong. Its output goes to a file: a pipe could fill and stall it. */
    private @Nullable String run(Path file) throws IOException {
        Path output = Files.createTempFile("watchdog-promtool-", ".txt");
        Process process = new ProcessBuilder(binary.toString(), "check", "rules", "--lint=none", file.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("promtool did not finish within " + TIMEOUT.toSeconds() + "s");
            }
            return process.exitValue() == 0 ? null : Files.readString(output, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while promtool ran");
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }

    private static List<Problem> problems(List<Query> queries, @Nullable String output) throws IOException {
        List<Problem> problems = new ArrayList<>();
        if (output == null) {
            return problems;
        }
        Matcher m = ERROR.matcher(output);
        while (m.find()) {
            int index = Integer.parseInt(m.group(1));
            if (index < queries.size()) {
                Query q = queries.get(index);
                problems.add(new Problem(q.file(), q.line(), q.rule(), q.field() + ": " + m.group(2).strip()));
            }
        }
        if (problems.isEmpty()) {
            String first = output.strip().lines().filter(l -> !l.startsWith("Checking")).findFirst().orElse("no output");
            throw new IOException("promtool failed: " + first);
        }
        return problems;
    }
}
