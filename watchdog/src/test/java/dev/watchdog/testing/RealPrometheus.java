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

    private final List<String> command;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private RealProcess process;

    private RealPrometheus(List<String> command, Path log, int port) {
        this.command = command;
        this.log = log;
        this.port = port;
        this.process = RealProcess.start(command, Map.of(), log);
    }

    public static RealPrometheus scraping(String target, Path dir) {
        String binary = RealProcess.binary("prometheus", "prometheus");
        try {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: demo
                        static_configs: [{targets: ['%s']}]
                    """.formatted(target));
            int port = RealProcess.freePort();
            RealPrometheus prometheus = new RealPrometheus(List.of(binary, "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port),
                    dir.resolve("prometheus.log"), port);
            prometheus.awaitScrape();
            return prometheus;
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

    /** The first scrape comes some seconds after start: waits for the target to be up. */
    private void awaitScrape() {
        Poll.until(Duration.ofSeconds(30), "Prometheus to scrape its target", () -> query("up").contains("\"1\"]"));
    }

    /** SIGKILL: its port refuses connections until {@link #restart}. */
    public void kill9() {
        process.kill9();
    }

    /** Starts it again on the same port and data; returns once it scrapes again. */
    public void restart() {
        process = RealProcess.start(command, Map.of(), log);
        awaitScrape();
    }

    public void stop() {
        process.stop();
    }
}
