package dev.watchdog.testing;

import dev.watchdog.Watchdog;
import dev.watchdog.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The whole daemon in-process, on a directory of its own, ticked by the test at the test's clock. */
public final class Daemon {

    public static final String DEPLOYER = "deployer-token-1";
    public static final String VIEWER = "viewer-token-1";
    public static final String ADMIN = "admin-token-1";
    public static final String SECRET = "rollback-secret-1";
    public static final String ONCALL = "oncall-token-1";

    private final Vertx vertx;
    private final Path dir;
    private final MutableClock clock;
    private final WebClient http;
    private Watchdog watchdog;
    private String deployment;

    public Daemon(Vertx vertx, Path dir, MutableClock clock, String prometheusUrl, String rollbackUrl, String rules)
            throws Exception {
        this(vertx, dir, clock, prometheusUrl, rollbackUrl, rules, "");
    }

    /** {@code extraConfig}: more top-level sections (receivers, escalation). */
    public Daemon(Vertx vertx, Path dir, MutableClock clock, String prometheusUrl, String rollbackUrl, String rules,
                  String extraConfig) throws Exception {
        this(vertx, dir, clock, prometheusUrl, rollbackUrl, rules, extraConfig, "storage: {path: data/}\n");
    }

    /** {@code storage}: the storage section (the embedded store under data/ by default). */
    public Daemon(Vertx vertx, Path dir, MutableClock clock, String prometheusUrl, String rollbackUrl, String rules,
                  String extraConfig, String storage) throws Exception {
        this.vertx = vertx;
        this.dir = dir;
        this.clock = clock;
        this.http = WebClient.create(vertx);
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/test.yml"), rules);
        Files.writeString(dir.resolve("watchdog.yml"), """
                prometheus: {url: "%s", timeout: 2s}
                evaluation: {interval: 15s}
                rules: [rules/*.yml]
                %s
                server:
                  listen: 127.0.0.1:0
                  maxBodyBytes: 4096
                  tokens:
                    - {name: ci, role: deployer, token: "${env:DEPLOYER}"}
                    - {name: dashboards, role: viewer, token: "%s"}
                    - {name: root, role: admin, token: "%s"}
                    - {name: alice, role: oncall, token: "%s"}
                rollback:
                  default:
                    webhook:
                      url: "%s"
                      secret: "${env:SECRET}"
                      timeout: 2s
                      retry: {attempts: 3, initial: 50ms, max: 200ms}
                """.formatted(prometheusUrl, storage.strip(), VIEWER, ADMIN, ONCALL, rollbackUrl) + extraConfig);
    }

    public Daemon start() {
        ConfigLoader loader = new ConfigLoader(Map.of("DEPLOYER", DEPLOYER, "SECRET", SECRET)::get);
        watchdog = new Watchdog(() -> loader.load(dir.resolve("watchdog.yml")), dir, clock, false);
        deployment = vertx.deployVerticle(watchdog).await();
        return this;
    }

    /** Stops the daemon as a crash would leave it: no farewell writes (there are none to make). */
    public void stop() {
        vertx.undeploy(deployment).await();
    }

    /** Where the daemon's API listens: for the CLI. */
    public String url() {
        return "http://127.0.0.1:" + watchdog.port();
    }

    public MutableClock clock() {
        return clock;
    }

    public void tick() {
        watchdog.tick().await();
    }

    public HttpResponse<Buffer> call(String method, String path, String token, Object body) {
        HttpRequest<Buffer> request = http.request(io.vertx.core.http.HttpMethod.valueOf(method),
                watchdog.port(), "127.0.0.1", path);
        if (token != null) {
            request.bearerTokenAuthentication(token);
        }
        if (body == null) {
            return request.send().await();
        }
        return request.putHeader("Content-Type", "application/json").sendBuffer(body instanceof String s ? Buffer.buffer(s)
                : Buffer.buffer(body instanceof JsonObject j ? j.encode() : String.valueOf(body))).await();
    }

    /** Sends these bytes as they are, with this Content-Type (none if null): for malformed bodies. */
    public HttpResponse<Buffer> send(String method, String path, String token, String contentType, byte[] body) {
        HttpRequest<Buffer> request = http.request(io.vertx.core.http.HttpMethod.valueOf(method),
                watchdog.port(), "127.0.0.1", path).bearerTokenAuthentication(token);
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        return request.sendBuffer(Buffer.buffer(body)).await();
    }

    public JsonObject register(JsonObject body) {
        HttpResponse<Buffer> response = call("POST", "/api/v1/releases", DEPLOYER, body);
        if (response.statusCode() != 201) {
            throw new AssertionError("registration answered " + response.statusCode() + ": " + response.bodyAsString());
        }
        return response.bodyAsJsonObject();
    }

    public JsonObject release(String id) {
        return call("GET", "/api/v1/releases/" + id, VIEWER, null).bodyAsJsonObject();
    }

    public JsonArray events(String id) {
        return call("GET", "/api/v1/releases/" + id + "/events", VIEWER, null).bodyAsJsonArray();
    }

    public JsonArray notifications(String id) {
        return call("GET", "/api/v1/releases/" + id + "/notifications", VIEWER, null).bodyAsJsonArray();
    }

    /** Waits until every notification of the release has been sent, failed or dropped. */
    public JsonArray settled(String id) {
        Poll.until(java.time.Duration.ofSeconds(10), "notifications of " + id + " to settle",
                () -> notifications(id).stream().noneMatch(n -> "pending".equals(((JsonObject) n).getString("status"))));
        return notifications(id);
    }

    public String metrics() {
        return call("GET", "/metrics", null, null).bodyAsString();
    }
}
