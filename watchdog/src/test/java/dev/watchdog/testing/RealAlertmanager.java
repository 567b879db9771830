package dev.watchdog.testing;

import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The Debian package's Alertmanager on loopback, routing every alert to one webhook receiver at once. */
public final class RealAlertmanager {

    private final RealProcess process;
    private final int port;

    private RealAlertmanager(RealProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static RealAlertmanager routingTo(String webhookUrl, Path dir) {
        return routingTo(webhookUrl, dir, "5m");
    }

    /** As above; an alert posted without {@code endsAt} resolves by itself {@code resolveTimeout} after its last post. */
    public static RealAlertmanager routingTo(String webhookUrl, Path dir, String resolveTimeout) {
        try {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("alertmanager.yml"), """
                    global: {resolve_timeout: %s}
                    route:
                      receiver: test
                      group_by: [release, rule]
                      group_wait: 1s
                      group_interval: 1s
                      repeat_interval: 1h
                    receivers:
                      - name: test
                        webhook_configs:
                          - url: %s
                            send_resolved: true
                    """.formatted(resolveTimeout, webhookUrl));
            return withConfig(config, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Alertmanager on a config the test wrote (templates resolve beside it); returns once it is ready. */
    public static RealAlertmanager withConfig(Path config, Path dir) {
        String binary = RealProcess.binary("prometheus-alertmanager", "prometheus-alertmanager");
        int port = RealProcess.freePort();
        RealProcess process = RealProcess.start(List.of(binary, "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="), Map.of(), dir.resolve("alertmanager.log"));
        RealAlertmanager am = new RealAlertmanager(process, port);
        Poll.until(Duration.ofSeconds(30), "Alertmanager to be ready", am::ready);
        return am;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void stop() {
        process.stop();
    }

    /** The silences it holds, as {@code GET /api/v2/silences} lists them (active, pending and expired). */
    public JsonArray silences() {
        return new JsonArray(get("/api/v2/silences"));
    }

    /** Posts alerts as a Prometheus would ({@code POST /api/v2/alerts}). */
    public void post(JsonArray alerts) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url()
                    + "/api/v2/alerts")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString(alerts.encode())).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("Alertmanager refused the alerts: " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String get(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The alerts it holds, as {@code GET /api/v2/alerts} lists them (active, silenced and inhibited). */
    public JsonArray alerts() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url()
                    + "/api/v2/alerts")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return new JsonArray(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
