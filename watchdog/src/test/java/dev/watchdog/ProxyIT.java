package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The built jar behind a real nginx that signs people in as an authenticating proxy would (here it
 * just adds X-Forwarded-User and X-Forwarded-Groups), connecting from 127.0.0.3, the one address
 * the daemon trusts. The same headers sent straight to the daemon, from 127.0.0.1, are ignored.
 */
class ProxyIT {

    static final Path DIR = Path.of("target", "it", "proxy").toAbsolutePath();
    static RealDaemon daemon;
    static RealProcess nginx;
    static int nginxPort;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        String binary = RealProcess.binary("nginx", "nginx");
        daemon = RealDaemon.start(DIR, p -> """
                prometheus: {url: "http://127.0.0.1:9", timeout: 1s}
                evaluation: {interval: 1h}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens:
                    - {name: tests, role: deployer, token: "%s"}
                  proxy:
                    trusted: [127.0.0.3/32]
                    userHeader: X-Forwarded-User
                    groupsHeader: X-Forwarded-Groups
                    users: {"bob@example.com": viewer}
                    groups: {sre: oncall}
                rollback:
                  default:
                    webhook: {url: "http://127.0.0.1:9/rollback", timeout: 1s}
                """.formatted(p, RealDaemon.TOKEN), """
                groups:
                  - name: g
                    rules:
                      - {name: error-rate, signal: errors, expr: 'error_ratio{service="{{service}}"}', p1: "> 0.01"}
                """, Map.of());
        nginxPort = RealProcess.freePort();
        Path nginxDir = Files.createDirectories(DIR.resolve("nginx"));
        Files.writeString(nginxDir.resolve("nginx.conf"), """
                user root;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events {}
                http {
                  access_log %1$s/access.log;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  server {
                    listen 127.0.0.1:%2$d;
                    location / {
                      proxy_pass %3$s;
                      proxy_bind 127.0.0.3;
                      proxy_set_header X-Forwarded-User alice@example.com;
                      proxy_set_header X-Forwarded-Groups "eng, sre";
                      proxy_set_header X-Forwarded-For $remote_addr;
                    }
                  }
                }
                """.formatted(nginxDir, nginxPort, daemon.url()));
        nginx = RealProcess.start(List.of(binary, "-p", nginxDir.toString(), "-c", nginxDir.resolve("nginx.conf").toString(),
                "-g", "daemon off;"), Map.of(), nginxDir.resolve("nginx.out"));
        Poll.until(Duration.ofSeconds(10), "nginx to answer", () -> {
            try {
                return viaProxy("GET", "/healthz", null).statusCode() == 200;
            } catch (AssertionError refused) {
                return false;
            }
        });
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.stop();
        }
        if (daemon != null) {
            daemon.stop();
        }
    }

    static HttpResponse<String> send(String base, String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static HttpResponse<String> viaProxy(String method, String path, String body) {
        return send("http://127.0.0.1:" + nginxPort, method, path, Map.of(), body);
    }

    @Test
    @DisplayName("through the proxy, alice (group sre: oncall) reads and decides with no token, and the decision records her name")
    void signedInByTheProxy() {
        String id = daemon.register(new JsonObject().put("service", "api").put("version", "1").put("environment", "p"));
        HttpResponse<String> list = viaProxy("GET", "/api/v1/releases", null);
        assertEquals(200, list.statusCode(), list.body());
        HttpResponse<String> decided = viaProxy("POST", "/api/v1/releases/" + id + "/rollback",
                new JsonObject().put("reason", "checkout broken").encode());
        assertEquals(200, decided.statusCode(), decided.body());
        assertEquals("alice@example.com", new JsonObject(decided.body()).getJsonObject("rollback").getString("triggeredBy"));
        assertTrue(daemon.get("/api/v1/releases/" + id + "/events").contains("rollback decided by alice@example.com"),
                daemon.get("/api/v1/releases/" + id + "/events"));
        assertEquals(200, viaProxy("GET", "/", null).statusCode(), "the on-call page too");
    }

    @Test
    @DisplayName("the same headers sent straight to the daemon, not from the proxy's address, are ignored: 401")
    void headersFromElsewhereAreIgnored() {
        HttpResponse<String> direct = send(daemon.url(), "GET", "/api/v1/releases",
                Map.of("X-Forwarded-User", "alice@example.com", "X-Forwarded-Groups", "sre"), null);
        assertEquals(401, direct.statusCode(), direct.body());
        assertEquals("Bearer", direct.headers().firstValue("WWW-Authenticate").orElse(""));
    }
}
