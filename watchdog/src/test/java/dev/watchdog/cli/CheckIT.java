package dev.watchdog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.RealProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar watchdog.jar check} from the built jar, with and without promtool on the PATH. */
class CheckIT {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    @Test
    @DisplayName("without promtool on the PATH: everything else is checked, one line on stderr says how to get it, exit 0")
    void withoutPromtool() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty-bin"));
        Run run = check(empty.toString(), write("broken.yml", CheckCommandTest.BROKEN));
        assertEquals(0, run.code(), run.out() + run.err());
        assertEquals("OK: 8 rules in 1 files\n", run.out());
        assertEquals("watchdog check: PromQL was not parsed: promtool is not on the PATH; to parse it, apt-get install "
                + "prometheus (Debian, Ubuntu), or put promtool from a Prometheus release on the PATH\n", run.err());
    }

    @Test
    @DisplayName("with promtool on the PATH: the same file fails with its eight PromQL errors at file:line, exit 1")
    void withPromtool() throws Exception {
        String promtool = RealProcess.binary("promtool", "prometheus");
        Path file = write("broken.yml", CheckCommandTest.BROKEN);
        Run run = check(Path.of(promtool).getParent().toString(), file);
        assertEquals(1, run.code(), run.out() + run.err());
        assertEquals(9, run.out().lines().count(), run.out());
        assertTrue(run.out().startsWith(file + ":6: rule unbalanced: expr: 1:57: parse error: unclosed left parenthesis\n"),
                run.out());
        assertTrue(run.out().endsWith("\n8 problem(s)\n"), run.out());
        assertEquals("", run.err());
    }

    private Run check(String path, Path file) throws Exception {
        Path jar = Path.of(System.getProperty("watchdog.jar", "target/watchdog.jar")).toAbsolutePath();
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "check", file.toString())).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", path));
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "watchdog check finished");
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }
}
