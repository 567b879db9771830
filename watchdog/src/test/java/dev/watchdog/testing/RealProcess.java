package dev.watchdog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** A real program started by a test: its output goes to a log file, and it can be killed hard. */
public final class RealProcess {

    private final Process process;
    private final Path log;

    private RealProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static RealProcess start(List<String> command, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            return new RealProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The watchdog's jar, as packaged: {@code run} and the CLI as users run them. */
    public static RealProcess watchdog(List<String> args, Map<String, String> env, Path log) {
        String jar = System.getProperty("watchdog.jar", "target/watchdog.jar");
        if (!Files.exists(Path.of(jar))) {
            throw new IllegalStateException("no jar at " + jar + ": run the integration tests with 'mvn verify'");
        }
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar));
        command.addAll(args);
        return start(command, env, log);
    }

    /** A binary from PATH. Missing under CI is a failure; elsewhere the test is skipped with how to install it. */
    public static String binary(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = name + " is not on PATH: apt-get install -y --no-install-recommends " + debianPackage;
        if (System.getenv("CI") != null) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message);
        return null;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no farewell write. */
    public void kill9() {
        process.destroyForcibly();
        waitFor();
    }

    /** Sends a signal by name (TERM, INT, STOP, CONT, HUP) and returns at once. */
    public void signal(String name) {
        try {
            int code = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
            if (code != 0) {
                throw new IllegalStateException("kill -" + name + " exited " + code);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as a service manager stops it. */
    public void stop() {
        process.destroy();
        waitFor();
    }

    /** SIGTERM without waiting: {@link #exitCode} says how it ended. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the program to end on its own and returns its exit code. */
    public int exitCode(long timeoutSeconds) {
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("still running after " + timeoutSeconds + "s; log: " + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void waitFor() {
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
