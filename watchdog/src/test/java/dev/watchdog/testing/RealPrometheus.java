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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Debian package's Prometheus, on loopback, scraping every second: job {@code demo} (one target
 * given at start, more added with {@link #scrape}) and job {@code watchdog} (targets added with
 * {@link #scrape}, e.g. the daemon's own /metrics), found through file discovery. Optional: alerting
 * rule files, evaluated every second.
 */
public final class RealPrometheus {

    private final List<String> command;
    private final Path log;
    private RealProcess process;
    private final int port;
    private final Path dir;
    private final Map<String, List<String>> targets = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private RealPrometheus(List<String> command, Path log, int port, Path dir) {
        this.command = command;
        this.log = log;
        this.process = RealProcess.start(command, Map.of(), log);
        this.port = port;
        this.dir = dir;
    }

    public static RealPrometheus scraping(String target, Path dir) {
        return scraping(target, dir, List.of());
    }

    /** As {@link #scraping(String, Path)}, evaluating these rule files too. */
    public static RealPrometheus scraping(String target, Path dir, List<Path> ruleFiles) {
        String binary = RealProcess.binary("prometheus", "prometheus");
        try {
            Files.createDirectories(dir.resolve("targets"));
            for (String job : JOBS) {
                Files.writeString(dir.resolve("targets").resolve(job + ".json"), "[]");
            }
            Path config = Files.writeString(dir.resolve("prometheus.yml"), config(target, dir, ruleFiles));
            RealPrometheus prometheus = start(binary, config, dir);
            prometheus.awaitScrape();
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prometheus on a config of the test's own, started in {@code dir}; the test waits for its first scrapes. */
    public static RealPrometheus withConfig(String configYaml, Path dir) {
        String binary = RealProcess.binary("prometheus", "prometheus");
        try {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("prometheus.yml"), configYaml);
            return start(binary, config, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RealPrometheus start(String binary, Path config, Path dir) {
        int port = RealProcess.freePort();
        return new RealPrometheus(List.of(binary, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port), dir.resolve("prometheus.log"), port, dir);
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

    private static final List<String> JOBS = List.of("demo", "watchdog");

    private static String config(String target, Path dir, List<Path> ruleFiles) {
        StringBuilder config = new StringBuilder("global: {scrape_interval: 1s, evaluation_interval: 1s}\n");
        config.append("rule_files: [").append(String.join(", ", ruleFiles.stream()
                .map(p -> "'" + p.toAbsolutePath().normalize() + "'").toList())).append("]\n");
        config.append("scrape_configs:\n");
        for (String job : JOBS) {
            config.append("  - job_name: ").append(job).append("\n");
            if (job.equals("demo")) {
                config.append("    static_configs: [{targets: ['").append(target).append("']}]\n");
            }
            config.append("    file_sd_configs: [{files: ['")
                    .append(dir.resolve("targets").resolve(job + ".json").toAbsolutePath()).append("'], refresh_interval: 1s}]\n");
        }
        return config.toString();
    }

    /** Adds targets to job "demo" or "watchdog" at once; returns once Prometheus has scraped each. */
    public void scrape(String job, String... added) {
        List<String> of = targets.computeIfAbsent(job, j -> new CopyOnWriteArrayList<>());
        of.addAll(List.of(added));
        try {
            // Written whole and moved into place: file discovery never reads half a file.
            Path file = dir.resolve("targets").resolve(job + ".json");
            Path tmp = Files.writeString(dir.resolve("targets").resolve(job + ".json.tmp"),
                    "[{\"targets\": [" + String.join(", ", of.stream().map(t -> "\"" + t + "\"").toList()) + "]}]");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String target : added) {
            Poll.until(Duration.ofSeconds(30), "Prometheus to scrape " + target + " in job " + job,
                    () -> query("up{job=\"" + job + "\",instance=\"" + target + "\"} == 1").contains("\"1\"]"));
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The raw JSON answer of an instant query; empty if Prometheus does not answer yet. */
    public String query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The raw answer of a GET on Prometheus's HTTP API (path and query string); empty if it does not answer. */
    public String get(String pathAndQuery) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build();
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
