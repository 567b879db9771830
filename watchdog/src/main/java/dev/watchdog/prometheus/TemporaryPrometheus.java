package dev.watchdog.prometheus;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A Prometheus of its own, on loopback, loaded with history: the samples are backfilled with
 * {@code promtool tsdb create-blocks-from openmetrics}, then {@code prometheus} is started on them.
 * PromQL then means exactly what Prometheus means. Both binaries come from the Debian package.
 */
public final class TemporaryPrometheus implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private TemporaryPrometheus(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Where the two binaries are; from flags, else from PATH. */
    public record Binaries(Path promtool, Path prometheus) {

        public static Binaries find(@Nullable Path promtool, @Nullable Path prometheus) {
            Path tool = promtool != null ? promtool : onPath("promtool");
            Path server = prometheus != null ? prometheus : onPath("prometheus");
            if (tool == null || server == null || !Files.isExecutable(tool) || !Files.isExecutable(server)) {
                throw new IllegalStateException("this needs promtool and prometheus (Debian package 'prometheus'), and "
                        + (tool == null || !Files.isExecutable(tool) ? "promtool" : "prometheus")
                        + " was not found: apt-get install -y --no-install-recommends prometheus, or name them with "
                        + "--promtool and --prometheus");
            }
            return new Binaries(tool, server);
        }

        private static @Nullable Path onPath(String name) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path candidate = Path.of(d, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            return null;
        }
    }

    /** Backfills {@code openMetrics} (ending in {@code # EOF}) and starts Prometheus on it. */
    public static TemporaryPrometheus start(Binaries binaries, String openMetrics) throws IOException {
        Path dir = Files.createTempDirectory("watchdog-test-");
        Path data = Files.writeString(dir.resolve("data.om"), openMetrics, StandardCharsets.UTF_8);
        Path tsdb = dir.resolve("tsdb");
        run(List.of(binaries.promtool().toString(), "tsdb", "create-blocks-from", "openmetrics", data.toString(),
                tsdb.toString()), dir.resolve("promtool.log"));
        Path config = Files.writeString(dir.resolve("prometheus.yml"), "global: {}\n");
        int port = freePort();
        Process process = new ProcessBuilder(binaries.prometheus().toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + tsdb, "--storage.tsdb.retention.time=100y",
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        TemporaryPrometheus started = new TemporaryPrometheus(process, dir, port);
        started.awaitReady(Duration.ofSeconds(30));
        return started;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new IOException("prometheus was not ready after " + timeout.toSeconds() + "s");
    }

    private static void run(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("promtool failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
