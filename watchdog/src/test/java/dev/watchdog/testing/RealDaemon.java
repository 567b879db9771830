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
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/** The built jar running as a real daemon on loopback, with deployer, oncall and viewer tokens, and a client of its API. */
public final class RealDaemon {

    public static final String TOKEN = "real-daemon-deployer-token";
    public static final String ONCALL_TOKEN = "real-daemon-oncall-token";
    public static final String VIEWER_TOKEN = "real-daemon-viewer-token";

    private final Path dir;
    private final Path config;
    private final Map<String, String> env;
    private final String url;
    private final HttpClient http;
    private RealProcess process;

    private RealDaemon(Path dir, Path config, Map<String, String> env, int port) {
        this(dir, config, env, port, null);
    }

    /** {@code tls}: how to reach a daemon that serves HTTPS (its CA, and a client certificate if it asks); null for HTTP. */
    private RealDaemon(Path dir, Path config, Map<String, String> env, int port, SSLContext tls) {
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.url = (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
        this.http = tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
    }

    /**
     * Writes a config and one rule file into {@code dir} and starts the daemon; returns once it is ready.
     * Optional: rollbackSecret (null: unsigned webhooks).
     */
    public static RealDaemon start(Path dir, String prometheusUrl, String rollbackUrl, String rollbackSecret,
                                   String interval, String rules) {
        return start(dir, prometheusUrl, rollbackUrl, rollbackSecret, interval, rules, "");
    }

    /** As above, with more top-level config sections (receivers, escalation). */
    public static RealDaemon start(Path dir, String prometheusUrl, String rollbackUrl, String rollbackSecret,
                                   String interval, String rules, String extraConfig) {
        return start(dir, prometheusUrl, rollbackUrl, rollbackSecret, "", interval, rules, extraConfig);
    }

    /** As above, with more keys in the rollback webhook's flow mapping, e.g. {@code ", retry: {attempts: 3}"}. */
    public static RealDaemon start(Path dir, String prometheusUrl, String rollbackUrl, String rollbackSecret,
                                   String webhookOptions, String interval, String rules, String extraConfig) {
        try {
            Files.createDirectories(dir.resolve("rules"));
            Files.writeString(dir.resolve("rules/rules.yml"), rules);
            int port = RealProcess.freePort();
            String secret = rollbackSecret == null ? "" : ", secret: \"${env:ROLLBACK_SECRET}\"";
            Path config = Files.writeString(dir.resolve("watchdog.yml"), """
                    prometheus: {url: "%s", timeout: 2s}
                    evaluation: {interval: %s}
                    rules: [rules/*.yml]
                    storage: {path: data/}
                    server:
                      listen: 127.0.0.1:%d
                      tokens:
                        - {name: tests, role: deployer, token: "${env:DEPLOYER_TOKEN}"}
                        - {name: alice, role: oncall, token: "%s"}
                        - {name: victor, role: viewer, token: "%s"}
                    rollback:
                      default:
                        webhook: {url: "%s", timeout: 2s%s%s}
                    """.formatted(prometheusUrl, interval, port, ONCALL_TOKEN, VIEWER_TOKEN, rollbackUrl, secret,
                    webhookOptions) + extraConfig);
            Map<String, String> env = rollbackSecret == null ? Map.of("DEPLOYER_TOKEN", TOKEN)
                    : Map.of("DEPLOYER_TOKEN", TOKEN, "ROLLBACK_SECRET", rollbackSecret);
            return new RealDaemon(dir, config, env, port).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code rules} and the config the test gives whole ({@code config} is handed the port to
     * listen on) into {@code dir}, and starts the daemon with {@code env}; returns once it is ready.
     */
    public static RealDaemon start(Path dir, IntFunction<String> config, String rules, Map<String, String> env) {
        try {
            Files.createDirectories(dir.resolve("rules"));
            Files.writeString(dir.resolve("rules/rules.yml"), rules);
            int port = RealProcess.freePort();
            Path file = Files.writeString(dir.resolve("watchdog.yml"), config.apply(port));
            return new RealDaemon(dir, file, env, port).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As above, for a daemon serving HTTPS: {@code tls} is the client's side (its trust, its certificate). */
    public static RealDaemon start(Path dir, IntFunction<String> config, String rules, Map<String, String> env,
                                   SSLContext tls) {
        try {
            Files.createDirectories(dir.resolve("rules"));
            Files.writeString(dir.resolve("rules/rules.yml"), rules);
            int port = RealProcess.freePort();
            Path file = Files.writeString(dir.resolve("watchdog.yml"), config.apply(port));
            return new RealDaemon(dir, file, env, port, tls).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RealDaemon run() {
        process = RealProcess.watchdog(List.of("run", "--config", config.toString()), env, dir.resolve("watchdog.log"));
        Poll.until(Duration.ofSeconds(30), "the daemon to be ready", () -> status("/readyz") == 200);
        return this;
    }

    /** SIGKILL, then a new process on the same config and store; returns once it is ready. */
    public RealDaemon kill9AndRestart() {
        process.kill9();
        return run();
    }

    public void stop() {
        process.stop();
    }

    /** SIGKILL, and nothing else: {@link #restart} brings it back. */
    public void kill9() {
        process.kill9();
    }

    /** A new process on the same config and store; returns once it is ready. */
    public RealDaemon restart() {
        return run();
    }

    /** SIGTERM, as a service manager stops it; returns the exit code. */
    public int terminate() {
        process.terminate();
        return process.exitCode(60);
    }

    /** Everything the daemon has written to its log, across restarts. */
    public String log() {
        return process.log();
    }

    /** What the API answered: the status (0 when the connection was refused or cut) and the body. */
    public record Answer(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    /** Any request with any token; {@code body} may be null. */
    public Answer call(String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = send(request);
        return response == null ? new Answer(0, "") : new Answer(response.statusCode(), response.body());
    }

    public long pid() {
        return process.pid();
    }

    public String url() {
        return url;
    }

    /** Registers a release; returns its id. */
    public String register(JsonObject body) {
        HttpResponse<String> response = send(request("/api/v1/releases")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())));
        if (response == null || response.statusCode() != 201) {
            throw new AssertionError("registration failed: " + (response == null ? "refused" : response.body()));
        }
        return new JsonObject(response.body()).getString("id");
    }

    public JsonObject release(String id) {
        return new JsonObject(get("/api/v1/releases/" + id));
    }

    /** The body of a GET, or "" while the daemon refuses connections. */
    public String get(String path) {
        HttpResponse<String> response = send(request(path).GET());
        return response == null ? "" : response.body();
    }

    /** The status of a GET, or 0 while the daemon refuses connections. */
    public int status(String path) {
        HttpResponse<String> response = send(request(path).GET());
        return response == null ? 0 : response.statusCode();
    }

    /** A sample's value from {@code /metrics} (an unlabelled series), or 0 if absent. */
    public double metric(String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.E+-]+)$").matcher(get("/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
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
