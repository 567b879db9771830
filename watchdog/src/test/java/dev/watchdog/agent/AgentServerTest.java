package dev.watchdog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RollbackCall.Response;
import dev.watchdog.testing.RollbackCall;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in-process over real HTTP on port 0, running real scripts the test writes (each records
 * what it was asked to do); the receiving end of an http step is a webhook recorder.
 */
class AgentServerTest {

    static final String SECRET = "agent-test-secret";
    static final String TOKEN = "gh-token-never-shown";

    @TempDir
    static Path dir;
    static Vertx vertx;
    static WebhookRecorder github;
    static AgentServer agent;
    static String url;

    @BeforeAll
    static void start() throws IOException {
        vertx = Vertx.vertx();
        github = new WebhookRecorder(vertx).start();
        script("record.sh", "echo \"$WATCHDOG_IDEMPOTENCY_KEY $*\" >> \"$(dirname \"$0\")/record.log\"");
        // Fails on its first run (printing something secret-looking), succeeds after.
        script("fail-once.sh", """
                echo "$WATCHDOG_IDEMPOTENCY_KEY" >> "$(dirname "$0")/fail-once.log"
                marker="$(dirname "$0")/$WATCHDOG_RELEASE_ID.failed-once"
                if [ ! -e "$marker" ]; then touch "$marker"; echo "password=hunter2 ERROR: migration locked"; exit 3; fi
                """);
        script("slow.sh", "sleep 1; echo \"$WATCHDOG_IDEMPOTENCY_KEY\" >> \"$(dirname \"$0\")/slow.log\"");
        script("hang.sh", "sleep 300 & echo $! > \"$(dirname \"$0\")/hang.pid\"; wait");
        String yaml = """
                listen: 127.0.0.1:0
                secret: %s
                journal: journal.db
                limits: {headerTimeout: 1s}
                actions:
                  - name: switch-and-downgrade
                    match: {service: api}
                    steps:
                      - {name: switch, command: [%s/record.sh, switch, "{{service}}", "{{previous_version}}"]}
                      - {name: downgrade, command: [%s/fail-once.sh]}
                      - {name: notify, command: [%s/record.sh, notify, "{{release_id}}"]}
                  - name: slow
                    match: {service: slow}
                    steps: [{name: slow, command: [%s/slow.sh]}]
                  - name: hang
                    match: {service: hang}
                    steps: [{name: hang, command: [%s/hang.sh], timeout: 1s}]
                  - name: dispatch
                    match: {service: "dispatch|refused"}
                    steps:
                      - name: dispatch
                        http:
                          url: "%s"
                          headers: {Authorization: "Bearer ${env:GH}"}
                          body: '{"ref": "main", "inputs": {"version": "{{previous_version}}"}}'
                  - name: deploy-api
                    match: {environment: hostile}
                    steps:
                      - name: undo
                        http: {url: "%s", headers: {Authorization: "Bearer ${env:GH}"}}
                """.formatted(SECRET, dir, dir, dir, dir, dir, github.url("/{{service}}/dispatches"),
                github.url("/deploy/{{service}}/undo?to={{previous_version}}"));
        AgentConfig config = new ConfigLoader(Map.of("GH", TOKEN)::get).parse(yaml, "agent.yml", AgentConfig.class);
        agent = new AgentServer(config, dir, Clock.systemUTC(), Map.of("PATH", "/usr/bin:/bin"));
        vertx.deployVerticle(agent).await();
        url = "http://127.0.0.1:" + agent.port() + "/rollback";
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    static void script(String name, String body) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "#!/bin/bash\nset -eu\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static List<String> lines(String log) {
        try {
            Path file = dir.resolve(log);
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonObject call(String release, String service) {
        return RollbackCall.body(release, service, "1.4.0", "1.3.2", "production");
    }

    @Test
    @DisplayName("a wrong signature and a stale one get 401 and nothing runs")
    void refusesUnsigned() {
        JsonObject body = call("rel_unsigned", "api");
        long now = Instant.now().getEpochSecond();
        Response wrong = RollbackCall.send(url, "not-the-secret", "rel_unsigned:rollback", body, now);
        Response stale = RollbackCall.send(url, SECRET, "rel_unsigned:rollback", body, now - 301);
        Response none = RollbackCall.raw(url, Map.of("Idempotency-Key", "rel_unsigned:rollback"), body.encode());
        assertEquals(List.of(401, 401, 401), List.of(wrong.status(), stale.status(), none.status()));
        assertEquals("webhook-signature does not match", wrong.json().getString("error"));
        assertTrue(stale.json().getString("error").contains("301s old"), stale.body());
        assertTrue(lines("record.log").stream().noneMatch(l -> l.startsWith("rel_unsigned")), "nothing ran");
    }

    @Test
    @DisplayName("the same key twice acts once: the second call is answered 200 at once, marked replayed")
    void sameKeyOnce() {
        JsonObject body = call("rel_twice", "api");
        touch("rel_twice.failed-once");
        Response first = RollbackCall.send(url, SECRET, body);
        Response second = RollbackCall.send(url, SECRET, body);
        assertEquals(200, first.status(), first.body());
        assertEquals(200, second.status(), second.body());
        assertEquals(true, second.json().getBoolean("replayed"));
        assertEquals(List.of("rel_twice:rollback switch api 1.3.2", "rel_twice:rollback notify rel_twice"),
                lines("record.log").stream().filter(l -> l.startsWith("rel_twice")).toList());
    }

    @Test
    @DisplayName("a second key for a release already rolled back acts not again: answered 200, replayed, nothing runs")
    void sameReleaseOnce() {
        JsonObject body = call("rel_two_keys", "api");
        touch("rel_two_keys.failed-once");
        long now = Instant.now().getEpochSecond();
        Response first = RollbackCall.send(url, SECRET, "rel_two_keys:rollback", body, now);
        Response second = RollbackCall.send(url, SECRET, "rel_two_keys:rollback-again", body, now);
        assertEquals(200, first.status(), first.body());
        assertEquals(200, second.status(), second.body());
        assertEquals(true, second.json().getBoolean("replayed"));
        assertEquals(List.of("rel_two_keys:rollback switch api 1.3.2", "rel_two_keys:rollback notify rel_two_keys"),
                lines("record.log").stream().filter(l -> l.startsWith("rel_two_keys")).toList());
    }

    @Test
    @DisplayName("a failing step answers 502 naming the step and its exit code, never its output; the retry goes on from that step")
    void failingStepThenRetry() {
        JsonObject body = call("rel_fails", "api");
        Response failed = RollbackCall.send(url, SECRET, body);
        assertEquals(502, failed.status(), failed.body());
        JsonObject answer = failed.json();
        assertEquals("step 'downgrade' exited 3", answer.getString("error"));
        assertEquals("downgrade", answer.getString("step"));
        assertEquals(3, answer.getInteger("exitCode"));
        assertEquals(List.of("succeeded", "failed", "not_run"), statuses(answer));
        assertFalse(failed.body().contains("hunter2") || failed.body().contains("migration locked"), failed.body());

        Response retried = RollbackCall.send(url, SECRET, body);
        assertEquals(200, retried.status(), retried.body());
        assertEquals(List.of("skipped", "succeeded", "succeeded"), statuses(retried.json()));
        assertEquals(List.of("rel_fails:rollback switch api 1.3.2", "rel_fails:rollback notify rel_fails"),
                lines("record.log").stream().filter(l -> l.startsWith("rel_fails")).toList(), "switch ran once");
        assertEquals(2, lines("fail-once.log").stream().filter(l -> l.startsWith("rel_fails")).count());
    }

    @Test
    @DisplayName("a call whose key is running joins that run: both get its answer, the step runs once")
    void concurrentCallsJoin() {
        JsonObject body = call("rel_slow", "slow");
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> RollbackCall.send(url, SECRET, body));
        Poll.until(Duration.ofSeconds(10), "the slow step to start", () -> running().contains("rel_slow:rollback"));
        Response second = RollbackCall.send(url, SECRET, body);
        assertEquals(200, first.join().status(), first.join().body());
        assertEquals(200, second.status(), second.body());
        assertEquals(1, lines("slow.log").size());
    }

    @Test
    @DisplayName("a step past its timeout answers 504, and its whole process tree is killed")
    void timeoutKillsTree() throws IOException {
        Response answer = RollbackCall.send(url, SECRET, call("rel_hang", "hang"));
        assertEquals(504, answer.status(), answer.body());
        assertEquals("step 'hang' timed out after 1s; its processes were killed", answer.json().getString("error"));
        long child = Long.parseLong(Files.readString(dir.resolve("hang.pid")).trim());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the background sleep is gone");
    }

    @Test
    @DisplayName("an http step sends the filled body with the secret header; a non-2xx answer fails the call with 502")
    void httpStep() {
        Response ok = RollbackCall.send(url, SECRET, call("rel_dispatch", "dispatch"));
        assertEquals(200, ok.status(), ok.body());
        WebhookRecorder.Call sent = github.calls("/dispatch/dispatches").get(0);
        assertEquals("Bearer " + TOKEN, sent.header("Authorization"));
        assertEquals(new JsonObject("{\"ref\": \"main\", \"inputs\": {\"version\": \"1.3.2\"}}"), new JsonObject(sent.body()));

        github.reply(WebhookRecorder.Reply.status(401));
        Response refused = RollbackCall.send(url, SECRET, call("rel_refused", "refused"));
        assertEquals(502, refused.status(), refused.body());
        assertEquals("step 'dispatch' got HTTP 401", refused.json().getString("error"));
        assertFalse(refused.body().contains(TOKEN) || refused.body().contains("127.0.0.1"), refused.body());
    }

    @Test
    @DisplayName("calls the agent cannot act on are refused and run nothing: no action matches (422), not JSON (400), keys that differ (400), too large (413)")
    void refusals() {
        Response unmatched = RollbackCall.send(url, SECRET, call("rel_nomatch", "billing"));
        assertEquals(422, unmatched.status(), unmatched.body());
        assertEquals("no action matches service 'billing' in environment 'production'", unmatched.json().getString("error"));

        long now = Instant.now().getEpochSecond();
        Response notRollback = RollbackCall.send(url, SECRET, "k1", new JsonObject(), now);
        assertEquals(422, notRollback.status(), notRollback.body());
        assertEquals("type", notRollback.json().getString("field"));
        Response notJson = RollbackCall.send(url, SECRET, "k2", "rollback please", now, "k2");
        assertEquals(400, notJson.status(), notJson.body());

        JsonObject noService = call("rel_noservice", "api");
        noService.getJsonObject("release").remove("service");
        Response missing = RollbackCall.send(url, SECRET, noService);
        assertEquals(400, missing.status(), missing.body());
        assertEquals("release.service", missing.json().getString("field"));

        Response differ = RollbackCall.send(url, SECRET, "rel_keys:rollback", call("rel_keys", "api").encode(), now,
                "rel_other:rollback");
        assertEquals(400, differ.status(), differ.body());
        assertEquals("Idempotency-Key", differ.json().getString("field"));
        assertTrue(lines("record.log").stream().noneMatch(l -> l.startsWith("rel_nomatch") || l.startsWith("rel_keys")));

        Response huge = RollbackCall.send(url, SECRET, "k3", "x".repeat(300_000), now, "k3");
        assertEquals(413, huge.status(), huge.body());
        Response elsewhere = RollbackCall.send(url.replace("/rollback", "/undo"), SECRET, call("rel_path", "api"));
        assertEquals(404, elsewhere.status(), elsewhere.body());
    }

    private static List<String> statuses(JsonObject answer) {
        JsonArray steps = answer.getJsonArray("steps");
        return steps.stream().map(s -> ((JsonObject) s).getString("status")).toList();
    }

    /** The keys the journal shows running, read as a tool beside the agent reads them. */
    private static String running() {
        try (Journal journal = Journal.open(dir.resolve("journal.db"), Clock.systemUTC(), false)) {
            return journal.list(Journal.Status.RUNNING, 10).toString();
        } catch (Exception e) {
            return "";
        }
    }

    private static void touch(String name) {
        try {
            Files.writeString(dir.resolve(name), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("an http step's host is its config's: a service or version the deployer chose is percent-encoded, and cannot walk the path")
    void httpStepUrlIsTheConfigs() {
        Response walk = RollbackCall.send(url, SECRET, RollbackCall.body("rel_walk", "../../admin", "1.4.0", "1.3.2", "hostile"));
        assertEquals(422, walk.status(), walk.body());
        assertEquals("the value for {{service}} would walk the URL's path (it is . or .. or holds /)",
                walk.json().getString("error"));
        Response dots = RollbackCall.send(url, SECRET, RollbackCall.body("rel_dots", "..", "1.4.0", "1.3.2", "hostile"));
        assertEquals(422, dots.status(), dots.body());
        assertTrue(github.calls.stream().noneMatch(c -> c.path().contains("admin") || c.path().startsWith("/deploy/..")),
                "nothing was sent");

        Response odd = RollbackCall.send(url, SECRET,
                RollbackCall.body("rel_odd", "api@evil.example:80#", "1.4.0", "1.3&admin=1#x", "hostile"));
        assertEquals(200, odd.status(), odd.body());
        WebhookRecorder.Call sent = github.calls("/deploy/api%40evil.example%3A80%23/undo").get(0);
        assertEquals("1.3&admin=1#x", sent.query().get("to"), "the version stays one query value");
        assertEquals(null, sent.query().get("admin"));
        assertEquals("Bearer " + TOKEN, sent.header("Authorization"));
    }

    @Test
    @DisplayName("a caller that sends half a request cannot hold the agent: /healthz answers, and the connection is closed after limits.headerTimeout")
    void halfSentRequest() throws IOException {
        try (java.nio.channels.SocketChannel half = java.nio.channels.SocketChannel.open(
                new java.net.InetSocketAddress("127.0.0.1", agent.port()))) {
            half.write(java.nio.ByteBuffer.wrap("POST /rollback HTTP/1.1\r\nHost: agent\r\n".getBytes(StandardCharsets.US_ASCII)));
            half.configureBlocking(false);
            java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + agent.port() + "/healthz"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            Poll.until(Duration.ofSeconds(5), "the agent to close the half-sent request", () -> {
                try {
                    return half.read(java.nio.ByteBuffer.allocate(256)) < 0;
                } catch (IOException e) {
                    return true;
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
