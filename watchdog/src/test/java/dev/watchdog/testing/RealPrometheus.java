package dev.watchdog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The Debian package's Prometheus, on loopback, scraping one target every second. */
public final class RealPrometheus {

    private final RealProcess process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private RealPrometheus(RealProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static RealPrometheus scraping(String target, Path dir) {
        RealPrometheus prometheus = withConfig("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: demo
                    static_configs: [{targets: ['%s']}]
                """.formatted(target), dir);
        // The first scrape comes some seconds after start: wait for the target to be up.
        Poll.until(Duration.ofSeconds(30), "Prometheus to scrape its target",
                () -> prometheus.query("up").contains("\"1\"]"));
        return prometheus;
    }

    /** Prometheus on a config of the test's own, started in {@code dir}; the test waits for its first scrapes. */
    public static RealPrometheus withConfig(String configYaml, Path dir) {
        String binary = RealProcess.binary("prometheus", "prometheus");
        try {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("prometheus.yml"), configYaml);
            int port = RealProcess.freePort();
            RealProcess process = RealProcess.start(List.of(binary, "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port),
                    Map.of(), dir.resolve("prometheus.log"));
            return new RealPrometheus(process, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The raw JSON answer of an instant query; empty if Prometheus does not answer yet. */
    public String query(String promql) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public void stop() {
        process.stop();
    }
}
