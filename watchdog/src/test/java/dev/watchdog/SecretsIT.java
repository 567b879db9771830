package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.FaultProxy.Mode;
import dev.watchdog.testing.FaultProxy;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every kind of secret the config holds, driven through every way an outbound call fails, then
 * looked for everywhere a person can read: the daemon's whole log (at DEBUG), every API answer
 * (the signed hooks' too, taking wrong and right secrets), /metrics, and {@code watchdog check} on
 * the config and on a broken one. Receivers and rollback
 * targets of each kind stand on four servers: one that never answers, a closed port, one answering
 * 404 and one answering 503, both echoing the request's URI and Authorization header back. The
 * Prometheus URL carries a user and password and an Authorization header; a proxy in front of it
 * hangs, closes, and answers 404 and 503 bodies that quote the credentials.
 */
class SecretsIT {

    static final Path DIR = Path.of("target", "it", "secrets");
    static final List<String> MODES = List.of("hang", "refused", "404", "503");
    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p0: "> 0.05"
            """;

    /** Each secret by where it was put; every value is looked for. */
    static final Map<String, String> SECRETS = new LinkedHashMap<>();
    /** The config's environment: some secrets come from there, some from a file, some are written in the config. */
    static final Map<String, String> ENV = new HashMap<>();
    static final Map<String, String> SERVERS = new LinkedHashMap<>();

    static Vertx vertx;
    static FakePrometheus prometheus;
    static FaultProxy proxy;
    static RealDaemon daemon;

    @BeforeAll
    static void start() throws IOException {
        RealStack.deleteRecursively(DIR);
        vertx = Vertx.vertx();
        prometheus = new FakePrometheus(vertx).start();
        prometheus.answer("quiet", FakePrometheus.value("0"));
        prometheus.otherwise(q -> FakePrometheus.value("0.2"));
        proxy = FaultProxy.start(vertx, prometheus.url());
        SERVERS.put("hang", echo(0));
        SERVERS.put("refused", "http://127.0.0.1:" + RealProcess.freePort());
        SERVERS.put("404", echo(404));
        SERVERS.put("503", echo(503));
        secrets();
        Files.createDirectories(DIR.resolve("daemon"));
        Files.writeString(DIR.resolve("viewer.token"), SECRETS.get("viewer token") + "\n");
        Map<String, String> env = new HashMap<>(ENV);
        env.put("WATCHDOG_LOG_LEVEL", "DEBUG");
        daemon = RealDaemon.start(DIR.resolve("daemon"), SecretsIT::config, RULES, env);
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.stop();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    @DisplayName("no secret in the log, any API answer, /metrics or check's output, after every kind of failure")
    void noSecretAnywhere() {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("quiet", register("quiet", "quiet", "everyone", "rb-hang"));
        for (String mode : MODES) {
            ids.put(mode, register("api", "env-" + mode, mode.equals("refused") ? "pagers" : "nobody", "rb-" + mode));
        }
        for (String mode : MODES) {
            Poll.until(Duration.ofSeconds(30), "rb-" + mode + " to fail", () -> "rollback_failed".equals(state(ids.get(mode))));
        }
        driveThroughPrometheusFailures(ids.get("quiet"));
        // Every receiver's failure stored; a hanging Alertmanager's later pages may still wait behind its first.
        ids.values().forEach(id -> awaitSettled(id, n -> !"pager-hang".equals(n.getString("receiver"))));
        awaitSettled(ids.get("refused"), n -> "pager-hang".equals(n.getString("receiver")) && "opened".equals(n.getString("kind")));

        Map<String, String> seen = new LinkedHashMap<>();
        seen.put("the daemon's log", daemon.log());
        seen.put("the API", apiAnswers(ids));
        seen.put("/metrics", daemon.get("/metrics"));
        seen.put("watchdog check", check(DIR.resolve("daemon/watchdog.yml"), 0));
        seen.put("watchdog check on a broken config", check(brokenConfig(), 1));
        List<String> leaks = new ArrayList<>();
        SECRETS.forEach((what, value) -> seen.forEach((where, text) -> {
            if (text.contains(value)) {
                leaks.add(what + " in " + where + ": ..." + around(text, value) + "...");
            }
        }));
        assertEquals(List.of(), leaks);
        assertTrue(seen.get("the daemon's log").contains("attempt failed"), "the failures were driven");
    }

    /** Prometheus hangs, refuses, answers 404 and 503 with the credentials quoted: each seen as an error, then back. */
    private void driveThroughPrometheusFailures(String quiet) {
        Map<Mode, String> faults = new LinkedHashMap<>();
        faults.put(Mode.hang(), "no answer from Prometheus in time");
        faults.put(Mode.closed(), "cannot reach Prometheus: connection refused");
        faults.put(Mode.answer(404, "application/json", new JsonObject().put("timestamp", "2026-11-21T10:00:00Z")
                .put("status", 404).put("error", "Not Found").put("path", "/api/v1/query")
                .put("message", "no tenant for " + SECRETS.get("Prometheus header")).encode()), "HTTP 404");
        faults.put(Mode.answer(503, "text/plain", "upstream refused promuser:" + SECRETS.get("Prometheus password")
                + " with Authorization: Bearer " + SECRETS.get("Prometheus header")), "HTTP 503");
        faults.forEach((mode, message) -> {
            proxy.set(mode);
            Poll.until(Duration.ofSeconds(15), "the quiet release to see: " + message, () -> {
                JsonObject rule = daemon.release(quiet).getJsonArray("rules").getJsonObject(0);
                return "error".equals(rule.getString("outcome")) && rule.getString("message", "").startsWith(message);
            });
        });
        proxy.set(Mode.pass());
        Poll.until(Duration.ofSeconds(15), "the quiet release ok again",
                () -> "ok".equals(daemon.release(quiet).getJsonArray("rules").getJsonObject(0).getString("outcome")));
    }

    /** Every answer a viewer can get about these releases. */
    private static String apiAnswers(Map<String, String> ids) {
        StringBuilder all = new StringBuilder(daemon.call("GET", "/api/v1/releases", viewer(), null).body());
        for (String id : ids.values()) {
            for (String path : List.of("", "/events", "/notifications", "/verdict?wait=0s", "/report")) {
                all.append(daemon.call("GET", "/api/v1/releases/" + id + path, viewer(), null).body());
            }
        }
        all.append(daemon.call("GET", "/api/v1/status", viewer(), null).body());
        all.append(daemon.call("GET", "/api/v1/releases", "wrong-" + SECRETS.get("deployer token"), null).body());
        all.append(hooks());
        return all.toString();
    }

    /**
     * The signed routes, each sent its receiver's secret where a stranger would put one, and then the
     * right one: what they answer, and what the daemon logs of them, must hold neither.
     */
    private static String hooks() {
        StringBuilder all = new StringBuilder();
        String slack = "payload=" + java.net.URLEncoder.encode("{\"type\":\"block_actions\"}", java.nio.charset.StandardCharsets.UTF_8);
        all.append(hook("/hooks/slack", slack, 401, "X-Slack-Request-Timestamp", "1",
                "X-Slack-Signature", "v0=" + SECRETS.get("slack-hang signing secret")));
        all.append(hook("/hooks/slack", slack, 401, "X-Slack-Request-Timestamp", String.valueOf(java.time.Instant.now()
                .getEpochSecond()), "X-Slack-Signature", SECRETS.get("slack-404 signing secret")));
        String hang = SECRETS.get("telegram-hang webhook secret");
        all.append(hook("/hooks/telegram/telegram-hang", "{\"update_id\": 1}", 401, "X-Telegram-Bot-Api-Secret-Token",
                "wrong-" + hang));
        all.append(hook("/hooks/telegram/telegram-hang", "{\"update_id\": 1}", 200, "X-Telegram-Bot-Api-Secret-Token", hang));
        all.append(hook("/hooks/telegram/telegram-404", "{}", 401, "X-Telegram-Bot-Api-Secret-Token", hang));
        all.append(hook("/hooks/pagerduty", "{\"event\": {}}", 401, "X-PagerDuty-Signature",
                "v1=" + SECRETS.get("pd-hang webhook secret") + ",v1=" + SECRETS.get("pd-hang routing key")));
        return all.toString();
    }

    /** A POST with the headers given, no token: its body and headers, once its status is the one expected. */
    private static String hook(String path, String body, int status, String... headers) {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(daemon.url() + path))
                .timeout(Duration.ofSeconds(10)).headers(headers).header("Content-Type", path.contains("slack")
                        ? "application/x-www-form-urlencoded" : "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient()
                    .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(status, answer.statusCode(), path + ": " + answer.body());
            return answer.body() + answer.headers().map();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the release's notifications that match {@code which} are sent, failed or dropped. */
    private void awaitSettled(String id, Predicate<JsonObject> which) {
        Poll.until(Duration.ofSeconds(30), "notifications of " + id + " settled", () -> new JsonArray(
                daemon.call("GET", "/api/v1/releases/" + id + "/notifications", viewer(), null).body()).stream()
                .map(JsonObject.class::cast).filter(which).noneMatch(n -> "pending".equals(n.getString("status"))));
    }

    /** {@code watchdog check --config}: its whole output, with the exit code it must have. */
    private static String check(Path config, int exitCode) {
        RealProcess check = RealProcess.watchdog(List.of("check", "--config", config.toString()), ENV,
                DIR.resolve("check-" + config.getFileName() + ".log"));
        assertEquals(exitCode, check.exitCode(60), check.log());
        return check.log();
    }

    /** The config with mistakes next to secrets: a URL that does not parse, one that is not http. */
    private static Path brokenConfig() {
        String broken = config(RealProcess.freePort())
                .replace("/rollback/" + SECRETS.get("rb-503 path"), "/roll back/" + SECRETS.get("rb-503 path"))
                .replace(SERVERS.get("404") + "/hook", "ftp://user:" + SECRETS.get("hook-404 query") + "@example.com/hook");
        try {
            return Files.writeString(DIR.resolve("daemon/broken.yml"), broken);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String register(String service, String environment, String policy, String rollback) {
        return daemon.register(new JsonObject().put("service", service).put("version", "1.0.0")
                .put("environment", environment).put("window", "1h").put("policy", policy).put("rollback", rollback)
                .put("labels", new JsonObject().put("github_deployment", "42")));
    }

    private static String state(String id) {
        return daemon.release(id).getString("state");
    }

    private static String viewer() {
        return SECRETS.get("viewer token");
    }

    private static String around(String text, String value) {
        int at = text.indexOf(value);
        return text.substring(Math.max(0, at - 80), Math.min(text.length(), at + value.length() + 20)).replace('\n', ' ');
    }

    /** One server per way of failing: never answering (status 0), or answering with the request echoed back. */
    private static String echo(int status) {
        var server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            if (status != 0) {
                request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("ok", false).put("error_code", status)
                                .put("description", "no route for " + request.uri())
                                .put("authorization", request.getHeader("Authorization")).encode());
            }
        })).listen(0, "127.0.0.1").await();
        return "http://127.0.0.1:" + server.actualPort();
    }

    private static void secrets() {
        SECRETS.put("deployer token", RealDaemon.TOKEN);
        SECRETS.put("oncall token", "oncall-tok-77aa01");
        SECRETS.put("viewer token", "viewer-tok-c3d2e8");
        SECRETS.put("Prometheus password", "prompass-91ab44");
        SECRETS.put("Prometheus header", "promheader-0c9e12");
        for (String m : MODES) {
            SECRETS.put("slack-" + m + " path", "slackpath-" + m + "-x7Qz");
            SECRETS.put("telegram-" + m + " token", "123456:tgtoken-" + m + "-AAE");
            SECRETS.put("hook-" + m + " query", "hookquery-" + m + "-3k");
            SECRETS.put("hook-" + m + " secret", "hooksign-" + m + "-9p");
            SECRETS.put("pager-" + m + " password", "ampass-" + m + "-4t");
            SECRETS.put("rb-" + m + " path", "rbpath-" + m + "-8w");
            SECRETS.put("rb-" + m + " query", "rbquery-" + m + "-2m");
            SECRETS.put("rb-" + m + " secret", "rbsign-" + m + "-6j");
            SECRETS.put("slack-" + m + " signing secret", "slacksign-" + m + "-5v");
            SECRETS.put("telegram-" + m + " webhook secret", "tgwebhook-" + m + "-Zq81");
            SECRETS.put("pd-" + m + " routing key", "pdrouting-" + m + "-0b");
            SECRETS.put("pd-" + m + " webhook secret", "pdwebhook-" + m + "-3n");
            SECRETS.put("ghd-" + m + " token", "ghdtoken-" + m + "-7u");
            SECRETS.put("cde-" + m + " header", "cdeheader-" + m + "-1e");
        }
        ENV.put("DEPLOYER_TOKEN", SECRETS.get("deployer token"));
        ENV.put("PROM_AUTH", "Bearer " + SECRETS.get("Prometheus header"));
        for (String m : MODES) {
            ENV.put("SLACK_" + m, SERVERS.get(m) + "/services/T0/B0/" + SECRETS.get("slack-" + m + " path"));
            ENV.put("TG_" + m, SECRETS.get("telegram-" + m + " token"));
            ENV.put("RB_SECRET_" + m, SECRETS.get("rb-" + m + " secret"));
            ENV.put("PD_KEY_" + m, SECRETS.get("pd-" + m + " routing key"));
            ENV.put("GHD_TOKEN_" + m, SECRETS.get("ghd-" + m + " token"));
        }
    }

    private static String config(int port) {
        StringBuilder receivers = new StringBuilder();
        StringBuilder rollback = new StringBuilder();
        for (String m : MODES) {
            String base = SERVERS.get(m);
            String retry = m.equals("hang") ? "retry: {attempts: 1}" : "retry: {attempts: 2, initial: 100ms, max: 200ms}";
            receivers.append("""
                      slack-%1$s: {slack: {url: "${env:SLACK_%1$s}", signingSecret: "%8$s"}, minInterval: 0s, %2$s}
                      telegram-%1$s: {telegram: {token: "${env:TG_%1$s}", chatId: "-100", apiUrl: "%3$s", webhookSecret: "%9$s"},
                                      minInterval: 0s, %2$s}
                      hook-%1$s: {webhook: {url: "%3$s/hook?token=%4$s", secret: "%5$s", timeout: 1s}, minInterval: 0s, %2$s}
                      pager-%1$s: {alertmanager: {url: "http://amuser:%6$s@%7$s", resend: 1s}, minInterval: 0s, %2$s}
                      pd-%1$s: {pagerduty: {routingKey: "${env:PD_KEY_%1$s}", url: "%3$s", webhookSecret: "%10$s"},
                                minInterval: 0s, timeout: 1s, %2$s}
                      ghd-%1$s: {githubDeployments: {repo: acme/api, token: "${env:GHD_TOKEN_%1$s}", apiUrl: "%3$s"},
                                 minInterval: 0s, timeout: 1s, %2$s}
                      cde-%1$s: {cdevents: {url: "%3$s/events", headers: {Authorization: "Bearer %11$s"}},
                                 minInterval: 0s, timeout: 1s, %2$s}
                    """.formatted(m, retry, base, SECRETS.get("hook-" + m + " query"), SECRETS.get("hook-" + m + " secret"),
                    SECRETS.get("pager-" + m + " password"), base.substring("http://".length()),
                    SECRETS.get("slack-" + m + " signing secret"), SECRETS.get("telegram-" + m + " webhook secret"),
                    SECRETS.get("pd-" + m + " webhook secret"), SECRETS.get("cde-" + m + " header")));
            rollback.append("""
                      rb-%1$s:
                        webhook: {url: "%2$s/rollback/%3$s?token=%4$s", secret: "${env:RB_SECRET_%1$s}", timeout: 1s,
                                  retry: {for: 2s, initial: 200ms, max: 500ms}}
                        verify: 0s
                    """.formatted(m, base, SECRETS.get("rb-" + m + " path"), SECRETS.get("rb-" + m + " query")));
        }
        List<String> everyone = MODES.stream().flatMap(m -> List.of("slack-" + m, "telegram-" + m, "hook-" + m, "pager-" + m,
                "pd-" + m, "ghd-" + m, "cde-" + m).stream()).toList();
        return """
                prometheus:
                  url: "http://promuser:%s@127.0.0.1:%d"
                  timeout: 1s
                  headers: {Authorization: "${env:PROM_AUTH}"}
                evaluation: {interval: 300ms, blindAfter: 1h}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens:
                    - {name: ci, role: deployer, token: "${env:DEPLOYER_TOKEN}"}
                    - {name: alice, role: oncall, token: "%s"}
                    - {name: dashboards, role: viewer, token: "${file:%s}"}
                receivers:
                %s
                escalation:
                  everyone: {levels: [{after: 0s, notify: %s}], preexisting: rollback}
                  pagers: {levels: [{after: 0s, notify: [pager-hang, pager-refused, pager-404, pager-503]}], announce: [],
                           preexisting: rollback}
                  nobody: {levels: [], preexisting: rollback}
                rollback:
                %s
                """.formatted(SECRETS.get("Prometheus password"), proxy.port(), port, SECRETS.get("oncall token"),
                DIR.resolve("viewer.token").toAbsolutePath(), receivers, everyone, rollback);
    }
}
