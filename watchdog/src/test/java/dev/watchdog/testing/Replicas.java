package dev.watchdog.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Several replicas of the built jar on loopback, sharing one PostgreSQL: each its own process,
 * port, name (r1, r2, ...) and log, all on one config text. Replicas can be killed, frozen, thawed
 * and started again, and asked who leads.
 */
public final class Replicas {

    public static final String DEPLOYER = "replicas-deployer-token";
    public static final String ONCALL = "replicas-oncall-token";

    private final Path dir;
    private final String config;
    private final List<Integer> ports = new ArrayList<>();
    private final List<RealProcess> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * {@code config}: the whole watchdog.yml but for {@code server} (written per replica) and with
     * its rules under {@code rules/} of {@code dir}; {@code {replica}} in it reads as each replica's
     * name (r1, r2, ...).
     */
    private Replicas(Path dir, String config) {
        this.dir = dir;
        this.config = config;
    }

    /** Starts {@code count} replicas and returns once every one is ready and one of them leads. */
    public static Replicas start(Path dir, int count, String config, String rules) {
        try {
            RealStack.deleteRecursively(dir);
            Files.createDirectories(dir.resolve("rules"));
            Files.writeString(dir.resolve("rules/rules.yml"), rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Replicas replicas = new Replicas(dir, config);
        IntStream.range(0, count).forEach(i -> replicas.ports.add(RealProcess.freePort()));
        IntStream.range(0, count).forEach(i -> replicas.processes.add(null));
        IntStream.range(0, count).forEach(replicas::launch);
        IntStream.range(0, count).forEach(replicas::awaitReady);
        Poll.until(Duration.ofSeconds(30), "a replica to lead", () -> !replicas.leaders().isEmpty());
        return replicas;
    }

    private void launch(int i) {
        try {
            Path file = Files.writeString(dir.resolve("r" + (i + 1) + ".yml"), config.replace("{replica}", "r" + (i + 1)) + """
                    server:
                      listen: 127.0.0.1:%d
                      replica: r%d
                      tokens:
                        - {name: ci, role: deployer, token: "%s"}
                        - {name: alice, role: oncall, token: "%s"}
                    """.formatted(ports.get(i), i + 1, DEPLOYER, ONCALL));
            processes.set(i, RealProcess.watchdog(List.of("run", "--config", file.toString()), Map.of(),
                    dir.resolve("r" + (i + 1) + ".log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(int i) {
        Poll.until(Duration.ofSeconds(60), "replica r" + (i + 1) + " to be ready", () -> status(i, "/readyz") == 200);
    }

    public int size() {
        return ports.size();
    }

    /** The index of the replica that leads now, if exactly one answers that it does. */
    public Optional<Integer> leader() {
        List<Integer> leaders = leaders();
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    /** Every replica that answers that it leads, asked one after another. */
    public List<Integer> leaders() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            JsonObject s = statusOf(i);
            if (s != null && s.getBoolean("leader", false)) {
                out.add(i);
            }
        }
        return out;
    }

    /** GET /api/v1/status of replica {@code i}, or null if it does not answer. */
    public JsonObject statusOf(int i) {
        HttpResponse<String> r = send(i, request(i, "/api/v1/status", ONCALL).GET());
        return r == null || r.statusCode() != 200 ? null : new JsonObject(r.body());
    }

    public void kill9(int i) {
        processes.get(i).kill9();
    }

    public void freeze(int i) {
        processes.get(i).signal("STOP");
    }

    public void thaw(int i) {
        processes.get(i).signal("CONT");
    }

    /** Starts replica {@code i} again (after a kill) and returns once it is ready. */
    public void restart(int i) {
        launch(i);
        awaitReady(i);
    }

    public void stopAll() {
        processes.forEach(p -> {
            if (p != null && p.alive()) {
                p.signal("CONT");
                p.stop();
            }
        });
    }

    public String log(int i) {
        return processes.get(i).log();
    }

    /** Registers a release through replica {@code i}; returns its id. */
    public String register(int i, JsonObject body) {
        HttpResponse<String> r = send(i, request(i, "/api/v1/releases", DEPLOYER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())));
        if (r == null || r.statusCode() != 201) {
            throw new AssertionError("registration failed: " + (r == null ? "no answer" : r.body()));
        }
        return new JsonObject(r.body()).getString("id");
    }

    /** A decision (ack, accept, rollback) through replica {@code i}: the HTTP status. */
    public int decide(int i, String id, String decision, String reason) {
        HttpResponse<String> r = send(i, request(i, "/api/v1/releases/" + id + "/" + decision, ONCALL)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("reason", reason).encode())));
        return r == null ? 0 : r.statusCode();
    }

    /** The release as replica {@code i} reads it from the database. */
    public JsonObject release(int i, String id) {
        HttpResponse<String> r = send(i, request(i, "/api/v1/releases/" + id, ONCALL).GET());
        return r == null || r.statusCode() != 200 ? null : new JsonObject(r.body());
    }

    public int status(int i, String path) {
        HttpResponse<String> r = send(i, request(i, path, ONCALL).GET());
        return r == null ? 0 : r.statusCode();
    }

    public String get(int i, String path) {
        HttpResponse<String> r = send(i, request(i, path, ONCALL).GET());
        return r == null ? "" : r.body();
    }

    private HttpRequest.Builder request(int i, String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(i) + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5));
    }

    private HttpResponse<String> send(int i, HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
