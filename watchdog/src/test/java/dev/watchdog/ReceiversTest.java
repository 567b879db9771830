package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakeGitHub;
import dev.watchdog.testing.Logs;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder.Reply;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The grafana and github receivers through the whole daemon, against fakes of Grafana's annotations
 * API and GitHub's issues API: what arrived, with which headers and body, and that their tokens
 * appear nowhere else.
 */
class ReceiversTest extends DaemonTest {

    static final String GRAFANA_TOKEN = "glsa_grafana-token-1";
    static final String GITHUB_TOKEN = "ghp_github-token-1";

    WebhookRecorder grafana;
    FakeGitHub github;
    Logs logs;

    @Override
    protected String rules() {
        return IncidentsTest.RULES;
    }

    @Override
    protected void prepare() {
        prometheus.answer("error_ratio", value("0.001"));
        prometheus.answer("latency_p95", value("0.2"));
        grafana = new WebhookRecorder(vertx).start();
        github = new FakeGitHub(vertx).start();
        logs = new Logs();
    }

    @Override
    protected String extraConfig() {
        return """
                receivers:
                  dashboards: {grafana: {url: "%s", token: "%s"}, minInterval: 0s,
                               retry: {attempts: 3, initial: 50ms, max: 100ms}}
                  postmortem: {github: {repo: acme/api, token: "%s", apiUrl: "%s", labels: [post-mortem, release]},
                               minInterval: 0s, retry: {attempts: 3, initial: 50ms, max: 100ms}}
                escalation:
                  default:
                    levels:
                      - {after: 0m, notify: [dashboards, postmortem]}
                    repeat: 10m
                """.formatted(grafana.url("/grafana"), GRAFANA_TOKEN, GITHUB_TOKEN, github.url());
    }

    @AfterEach
    void stopFakes() {
        logs.close();
        grafana.close();
        github.close();
    }

    String register() {
        return daemon.register(new JsonObject().put("service", "api").put("version", "1.4.0").put("previousVersion", "1.3.2")
                .put("environment", "production").put("window", "2h").put("bake", "30m")).getString("id");
    }

    void until(Duration at) {
        while (clock.instant().isBefore(T0.plus(at))) {
            clock.advance(Duration.ofSeconds(15));
            daemon.tick();
        }
    }

    /** P1 opened at T+1m15s, acknowledged by alice at T+2m, P0 at once from T+2m15s, rolled back then. */
    String incidentRolledBack() {
        String id = register();
        until(Duration.ofSeconds(15));
        prometheus.answer("error_ratio", value("0.023"));
        until(Duration.ofMinutes(2));
        assertEquals(200, daemon.call("POST", "/api/v1/releases/" + id + "/ack", Daemon.ONCALL,
                new JsonObject().put("reason", "looking")).statusCode());
        prometheus.answer("latency_p95", value("2.5"));
        until(Duration.ofMinutes(2).plusSeconds(15));
        Poll.until(Duration.ofSeconds(5), "the rollback", () -> "rolled_back".equals(daemon.release(id).getString("state")));
        daemon.settled(id);
        return id;
    }

    List<JsonObject> annotations() {
        return grafana.calls("/grafana/api/annotations").stream().map(c -> new JsonObject(c.body())).toList();
    }

    /** Every answer the API gives about the release, and the metrics: where a token must never be. */
    String answers(String id) {
        return daemon.release(id).encode() + daemon.events(id).encode() + daemon.notifications(id).encode()
                + daemon.call("GET", "/api/v1/releases/" + id + "/report", Daemon.VIEWER, null).bodyAsString()
                + daemon.metrics();
    }

    void noTokens(String where, String text) {
        assertFalse(text.contains(GRAFANA_TOKEN), "the Grafana token in " + where);
        assertFalse(text.contains(GITHUB_TOKEN), "the GitHub token in " + where);
    }

    @Nested
    @DisplayName("grafana")
    class Grafana {
        @Test
        @DisplayName("annotates registered, incident opened, acknowledged and rolled back, at the clock's times, with tags")
        void incident() {
            String id = incidentRolledBack();
            List<JsonObject> annotations = annotations();
            assertEquals(List.of("watching", "opened", "acknowledged", "rolled_back"),
                    annotations.stream().map(a -> a.getJsonArray("tags").getString(4)).toList(), annotations.toString());
            assertEquals(List.of(T0, T0.plusSeconds(75), T0.plusSeconds(120), T0.plusSeconds(135)),
                    annotations.stream().map(a -> Instant.ofEpochMilli(a.getLong("time"))).toList());
            assertEquals(new JsonArray().add("watchdog").add("api").add("production").add(id).add("opened"),
                    annotations.get(1).getJsonArray("tags"));
            assertEquals("[P1] Breach in api 1.4.0 (production): error-rate 2.3 %", annotations.get(1).getString("text"));
            assertTrue(annotations.get(3).getString("text").startsWith("[P0] Rolled back: api 1.4.0 (production)"),
                    annotations.get(3).encode());
            for (WebhookRecorder.Call call : grafana.calls) {
                assertEquals("Bearer " + GRAFANA_TOKEN, call.header("Authorization"));
                assertEquals("application/json", call.header("Content-Type"));
            }
        }

        @Test
        @DisplayName("annotates all clear when the bake passes and when the window ends")
        void allClear() {
            String id = register();
            daemon.tick();
            clock.set(T0.plus(Duration.ofMinutes(30)));
            daemon.tick();
            clock.set(T0.plus(Duration.ofHours(2)));
            daemon.tick();
            daemon.settled(id);
            List<JsonObject> annotations = annotations();
            assertEquals(List.of("watching", "all_clear", "all_clear"),
                    annotations.stream().map(a -> a.getJsonArray("tags").getString(4)).toList());
            assertEquals("All clear: api 1.4.0 (production) at T+30m: healthy", annotations.get(1).getString("text"));
            assertEquals(T0.plus(Duration.ofHours(2)).toEpochMilli(), annotations.get(2).getLong("time"));
            assertEquals(0, github.calls.size(), "no incident, no report");
        }

        @Test
        @DisplayName("a failing Grafana is retried, and its token shows in no log line, event, answer or metric")
        void retriedWithoutLeaking() {
            grafana.reply(Reply.status(500), Reply.status(503));
            String id = register();
            daemon.tick();
            daemon.settled(id);
            assertEquals(3, grafana.calls.size());
            JsonObject sent = daemon.notifications(id).getJsonObject(0);
            assertEquals("sent", sent.getString("status"));
            assertEquals(3, sent.getInteger("attempts"));
            assertTrue(logs.text().contains("attempt failed kind=grafana"), logs.text());
            noTokens("the logs", logs.text());
            noTokens("the API's answers", answers(id));
        }
    }

    @Nested
    @DisplayName("github")
    class GitHub {
        @Test
        @DisplayName("files the incident report as one issue when the incident ends with the rollback, and nothing before")
        void filesTheReport() {
            String id = incidentRolledBack();
            assertEquals(1, github.calls("POST").size(), "one issue, for 'rolled back' only");
            FakeGitHub.Call post = github.calls("POST").get(0);
            assertEquals("/repos/acme/api/issues", post.path());
            assertEquals("Bearer " + GITHUB_TOKEN, post.headers().get("Authorization"));
            assertEquals("application/vnd.github+json", post.headers().get("Accept"));
            JsonObject issue = new JsonObject(post.body());
            assertEquals("Post-mortem: api 1.4.0 (production) rolled back on 2026-11-21", issue.getString("title"));
            assertEquals(new JsonArray().add("post-mortem").add("release"), issue.getJsonArray("labels"));
            String body = issue.getString("body");
            assertTrue(body.startsWith("# Incident report: api 1.4.0 in production (rolled back)\n"), body);
            assertTrue(body.contains("| `" + id + ".1` | 2026-11-21T10:01:15Z (T+1m15s) | 1m15s | 45s (alice) | 1m |"), body);
            assertTrue(body.contains("```promql\nlatency_p95{service=\"api\"}\n```"), body);
            String key = daemon.notifications(id).stream().map(JsonObject.class::cast)
                    .filter(n -> n.getString("receiver").equals("postmortem")).findFirst().orElseThrow().getString("key");
            assertTrue(body.endsWith("\n\n<!-- release-watchdog key: " + key + " -->\n"), body);
            FakeGitHub.Call lookedFirst = github.calls.get(0);
            assertEquals("GET", lookedFirst.method(), "it looks for an issue filed earlier before filing");
            assertEquals("all", lookedFirst.params().get("state"));
            assertEquals("Bearer " + GITHUB_TOKEN, lookedFirst.headers().get("Authorization"));
        }

        @Test
        @DisplayName("a retry after a lost answer finds the issue it filed and files no second one")
        void retryFilesOnce() {
            github.loseAnswers.set(1);
            String id = incidentRolledBack();
            assertEquals(List.of("GET", "POST", "GET"), github.calls.stream().map(FakeGitHub.Call::method).toList());
            assertEquals(1, github.issues.size());
            JsonObject notification = daemon.notifications(id).stream().map(JsonObject.class::cast)
                    .filter(n -> n.getString("receiver").equals("postmortem")).findFirst().orElseThrow();
            assertEquals("sent", notification.getString("status"), notification.encode());
            noTokens("the logs", logs.text());
            noTokens("the API's answers", answers(id));
        }

        @Test
        @DisplayName("the search for it reads every page: with 150 issues touched since, the retry still finds it")
        void retryFindsItPastTheFirstPage() {
            github.loseAnswers.set(1);
            github.othersAfterEachPost = 150;
            String id = incidentRolledBack();
            assertEquals(List.of("GET", "POST", "GET", "GET"), github.calls.stream().map(FakeGitHub.Call::method).toList());
            assertEquals("2", github.calls.get(3).params().get("page"));
            assertEquals(1, github.issues.stream().filter(i -> String.valueOf(i.getString("body")).contains("release-watchdog key"))
                    .count(), "one report filed");
            JsonObject notification = daemon.notifications(id).stream().map(JsonObject.class::cast)
                    .filter(n -> n.getString("receiver").equals("postmortem")).findFirst().orElseThrow();
            assertEquals("sent", notification.getString("status"), notification.encode());
        }

        @Test
        @DisplayName("when GitHub cannot be searched, nothing is filed and the notification says why")
        void searchFails() {
            github.listStatus = 500;
            String id = incidentRolledBack();
            assertEquals(0, github.calls("POST").size());
            JsonObject notification = daemon.notifications(id).stream().map(JsonObject.class::cast)
                    .filter(n -> n.getString("receiver").equals("postmortem")).findFirst().orElseThrow();
            assertEquals("failed", notification.getString("status"));
            assertEquals("could not look for a delivery made before, so nothing was sent: HTTP 500", notification.getString("error"));
        }

        @Test
        @DisplayName("a failed rollback that on-call takes over (accept) is filed too")
        void failedRollbackAccepted() {
            deployer.reply(Reply.status(400));
            String id = register();
            prometheus.answer("latency_p95", value("3"));
            daemon.tick();
            Poll.until(Duration.ofSeconds(5), "the failed rollback",
                    () -> "rollback_failed".equals(daemon.release(id).getString("state")));
            daemon.settled(id);
            assertEquals(0, github.calls("POST").size(), "not while the failure pages");
            assertEquals(200, daemon.call("POST", "/api/v1/releases/" + id + "/accept", Daemon.ONCALL,
                    new JsonObject().put("reason", "rolled back by hand")).statusCode());
            daemon.settled(id);
            assertEquals(1, github.calls("POST").size());
            JsonObject issue = new JsonObject(github.calls("POST").get(0).body());
            assertEquals("Post-mortem: api 1.4.0 (production) rollback failed on 2026-11-21", issue.getString("title"));
            assertTrue(issue.getString("body").contains("| alice | accepted (kept the release) | rolled back by hand |"),
                    issue.getString("body"));
        }
    }
}
