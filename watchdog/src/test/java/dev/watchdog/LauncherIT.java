package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code watchdog/bin/watchdog}, the launcher the docs and the systemd unit run: where it finds things, what it gives the JVM. */
class LauncherIT {

    static final Path LAUNCHER = Path.of("bin", "watchdog").toAbsolutePath();
    static final Path JAR = Path.of(System.getProperty("watchdog.jar", "target/watchdog.jar")).toAbsolutePath();
    static final Map<String, String> JAVA = Map.of("JAVA_HOME", System.getProperty("java.home"));

    @TempDir
    Path dir;

    @Test
    @DisplayName("in a clone: finds target/watchdog.jar; client commands get a small heap and the serial collector")
    void fromAClone() {
        RealProcess version = RealProcess.start(List.of(LAUNCHER.toString(), "--version"),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "WATCHDOG_JAVA_OPTS", "-XX:+PrintCommandLineFlags"),
                dir.resolve("version.log"));
        assertEquals(0, version.exitCode(30), version.log());
        assertTrue(version.log().contains("-XX:MaxHeapSize=134217728"), version.log());
        assertTrue(version.log().contains("-XX:+UseSerialGC"), version.log());
        assertTrue(version.log().lines().reduce((a, b) -> b).orElse("").startsWith("watchdog "), version.log());
    }

    @Test
    @DisplayName("installed in bin/ and lib/: the daemon is the JVM itself, with its memory flags and WATCHDOG_JAVA_OPTS last; "
            + "SIGTERM stops it with exit 0")
    void installed() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("opt/watchdog/bin"));
        Path lib = Files.createDirectories(dir.resolve("opt/watchdog/lib"));
        Files.copy(LAUNCHER, bin.resolve("watchdog"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(JAR, lib.resolve("watchdog.jar"));
        int port = RealProcess.freePort();
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: g
                    rules:
                      - {name: error-rate, signal: errors, expr: 'error_ratio{service="{{service}}"}', p1: "> 0.01"}
                """);
        Path config = Files.writeString(dir.resolve("watchdog.yml"), """
                prometheus: {url: "http://127.0.0.1:%d"}
                rules: [rules.yml]
                storage: {path: data/}
                server: {listen: "127.0.0.1:%d"}
                """.formatted(RealProcess.freePort(), port));
        RealProcess daemon = RealProcess.start(List.of(bin.resolve("watchdog").toString(), "run", "--config", config.toString()),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "WATCHDOG_JAVA_OPTS", "-Xmx200m"), dir.resolve("run.log"));
        Poll.until(Duration.ofSeconds(30), "the daemon ready", () -> ready(port));
        List<String> cmdline = Arrays.asList(Files.readString(Path.of("/proc", String.valueOf(daemon.pid()), "cmdline"))
                .split("\0"));
        assertTrue(cmdline.get(0).endsWith("/bin/java"), "exec'd: the PID started is the JVM's: " + cmdline);
        assertTrue(cmdline.contains("-Xmx320m") && cmdline.contains("-XX:+UseSerialGC")
                && cmdline.contains("-XX:+ExitOnOutOfMemoryError"), cmdline.toString());
        assertTrue(cmdline.indexOf("-Xmx200m") > cmdline.indexOf("-Xmx320m"), "WATCHDOG_JAVA_OPTS last: " + cmdline);
        assertEquals(lib.resolve("watchdog.jar").toString(), Path.of(cmdline.get(cmdline.indexOf("-jar") + 1)).normalize().toString());
        daemon.terminate();
        assertEquals(0, daemon.exitCode(60), daemon.log());
        assertTrue(daemon.log().contains("watchdog stopped"), daemon.log());
    }

    @Test
    @DisplayName("no jar anywhere: exit 70, and it says how to build one")
    void noJar() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(LAUNCHER, bin.resolve("watchdog"), StandardCopyOption.COPY_ATTRIBUTES);
        RealProcess run = RealProcess.start(List.of(bin.resolve("watchdog").toString(), "--version"), JAVA, dir.resolve("nojar.log"));
        assertEquals(70, run.exitCode(30), run.log());
        assertTrue(run.log().startsWith("watchdog: no watchdog.jar found") && run.log().contains("mvn -B -DskipTests package"),
                run.log());
    }

    private static boolean ready(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
