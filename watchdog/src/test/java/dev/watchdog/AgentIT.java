package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealAgent;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RollbackCall;
import dev.watchdog.testing.RollbackCall.Response;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code watchdog agent} from the built jar, on the documented example config, with stand-ins for
 * nginx, kubectl, alembic and gh and a recorder in GitHub's place: each documented rollback does
 * what the docs say; unsigned and stale calls run nothing; a key acts once, across kill -9; a run
 * cut short by kill -9 waits for an operator.
 */
class AgentIT {

    static final Path DIR = Path.of("target", "it", "agent");

    static Vertx vertx;
    static WebhookRecorder github;
    static AgentExamples examples;
    static RealAgent agent;

    @BeforeAll
    static void start() throws Exception {
        deleteRecursively(DIR);
        vertx = Vertx.vertx();
        github = new WebhookRecorder(vertx).start();
        examples = new AgentExamples(DIR);
        agent = examples.start(github.url(""));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.stop();
        }
        vertx.close().await();
    }

    static Response send(JsonObject body) {
        return RollbackCall.send(agent.url(), AgentExamples.SECRET, body);
    }

    @Test
    @DisplayName("a wrong signature, a stale and a future timestamp get 401, and nothing runs")
    void unsignedRunsNothing() {
        JsonObject body = RollbackCall.body("rel_forged", "api", "1.4.0", "1.3.2", "production");
        long now = Instant.now().getEpochSecond();
        int before = examples.calls().size();
        assertEquals(401, RollbackCall.send(agent.url(), "whsec_Zm9yZ2Vk", "rel_forged:rollback", body, now).status());
        assertEquals(401, RollbackCall.send(agent.url(), AgentExamples.SECRET, "rel_forged:rollback", body, now - 360).status());
        assertEquals(401, RollbackCall.send(agent.url(), AgentExamples.SECRET, "rel_forged:rollback", body, now + 360).status());
        assertEquals(before, examples.calls().size(), "no command ran");
        assertTrue(agent.log().contains("rollback call refused"), agent.log());
    }

    @Test
    @DisplayName("nginx blue/green: the upstream symlink points back at the colour running the previous version, checked and reloaded")
    void blueGreen() {
        assertEquals("web-green.conf", examples.liveUpstream());
        Response answer = send(RollbackCall.body("rel_web", "web", "1.4.0", "1.3.2", "production"));
        assertEquals(200, answer.status(), answer.body());
        assertEquals("web-blue.conf", examples.liveUpstream());
        assertEquals(List.of("nginx -t", "nginx -s reload"), examples.calls("rel_web:rollback"));
    }

    @Test
    @DisplayName("Kubernetes and schema: rollout undo, rollout status, alembic downgrade -1 in the app's directory, then gh issue create")
    void kubernetesAndSchema() {
        int revision = examples.revision();
        Response answer = send(RollbackCall.body("rel_api", "api", "2.0.0", "1.9.3", "staging"));
        assertEquals(200, answer.status(), answer.body());
        assertEquals(List.of(
                "kubectl --namespace staging rollout undo deployment/api",
                "kubectl --namespace staging rollout status deployment/api --timeout=5m",
                "alembic downgrade -1",
                "gh issue create --repo acme/api --label postmortem --title Rolled back: api 2.0.0 in staging --body The watchdog"
                        + " rolled api back from 2.0.0 to 1.9.3 (by watchdog; rule error-rate, P0). Release rel_api."),
                examples.calls("rel_api:rollback"));
        assertEquals(revision - 1, examples.revision());
        assertTrue(examples.calls().stream().anyMatch(l -> l.contains("alembic downgrade -1 key=rel_api:rollback pwd="
                + examples.revision.getParent())), "alembic ran where alembic.ini is");
        assertTrue(examples.calls().contains("gh-env GH_TOKEN=set GITHUB_TOKEN= ROLLBACK_SECRET="),
                "gh gets its own token and none of the agent's other secrets: " + examples.calls());
    }

    @Test
    @DisplayName("Argo Rollouts: the canary is aborted in the release's namespace")
    void argoRollouts() {
        Response answer = send(RollbackCall.body("rel_checkout", "checkout", "3.1.0", "3.0.9", "production"));
        assertEquals(200, answer.status(), answer.body());
        assertEquals(List.of("kubectl argo rollouts abort checkout --namespace production"),
                examples.calls("rel_checkout:rollback"));
    }

    @Test
    @DisplayName("GitHub Actions: the rollback workflow is dispatched with the previous version, the token sent and never logged")
    void githubDispatch() {
        github.reply(WebhookRecorder.Reply.status(204));
        Response answer = send(RollbackCall.body("rel_billing", "billing", "5.0.0", "4.9.0", "production"));
        assertEquals(200, answer.status(), answer.body());
        WebhookRecorder.Call dispatch = github.calls("/repos/acme/deploy/actions/workflows/rollback.yml/dispatches").get(0);
        assertEquals("Bearer " + AgentExamples.GITHUB_TOKEN, dispatch.header("Authorization"));
        assertEquals("application/vnd.github+json", dispatch.header("Accept"));
        assertEquals(new JsonObject().put("ref", "main").put("inputs", new JsonObject().put("service", "billing")
                .put("environment", "production").put("version", "4.9.0").put("release", "rel_billing")),
                new JsonObject(dispatch.body()));

        Response staging = send(RollbackCall.body("rel_billing_staging", "billing", "5.0.0", "4.9.0", "staging"));
        assertEquals(422, staging.status(), "no action for billing in staging: " + staging.body());
        for (String secret : List.of(AgentExamples.GITHUB_TOKEN, AgentExamples.GH_TOKEN, AgentExamples.SECRET)) {
            assertFalse(agent.log().contains(secret), "a secret in the agent's log");
        }
    }

    @Test
    @DisplayName("the same key twice acts once, and once more after kill -9 and a restart: the schema goes down one revision")
    void sameKeyOnceAcrossKill9() {
        JsonObject body = RollbackCall.body("rel_once", "api", "2.1.0", "2.0.0", "production");
        int revision = examples.revision();
        assertEquals(200, send(body).status());
        Response again = send(body);
        assertEquals(200, again.status(), again.body());
        assertEquals(true, again.json().getBoolean("replayed"));
        agent.kill9AndRestart();
        Response afterRestart = send(body);
        assertEquals(200, afterRestart.status(), afterRestart.body());
        assertEquals(true, afterRestart.json().getBoolean("replayed"));
        assertEquals(revision - 1, examples.revision());
        assertEquals(1, examples.calls("rel_once:rollback").stream().filter(c -> c.startsWith("alembic")).count());
    }

    @Test
    @DisplayName("killed in the middle of the schema downgrade: not run again after the restart (409) until an operator resolves it")
    void interruptedWaitsForOperator() throws Exception {
        JsonObject body = RollbackCall.body("rel_cut", "api", "2.2.0", "2.1.0", "production");
        String key = "rel_cut:rollback";
        Path hang = DIR.resolve("alembic.hang");
        Files.writeString(hang, "");
        CompletableFuture<Response> cut = CompletableFuture.supplyAsync(() -> send(body));
        Poll.until(Duration.ofSeconds(30), "alembic to start", () -> examples.calls(key).contains("alembic downgrade -1"));
        agent.kill9AndRestart();
        assertEquals(0, cut.join().status(), "the call in flight got no answer");
        Files.delete(hang);   // the orphaned downgrade finishes on its own, as a real one might
        Poll.until(Duration.ofSeconds(10), "the orphaned downgrade to end", () -> examples.calls(key).size() == 3);

        Response refused = send(body);
        assertEquals(409, refused.status(), refused.body());
        assertTrue(refused.json().getString("error").contains("interrupted in step 'downgrade-schema'"), refused.body());
        assertEquals(1, examples.calls(key).stream().filter(c -> c.startsWith("alembic")).count(), "not run again");

        RealProcess journal = agent.tool("journal", "--status", "interrupted");
        assertEquals(0, journal.exitCode(30), journal.log());
        assertTrue(journal.log().contains(key) && journal.log().contains("downgrade-schema"), journal.log());
        RealProcess resolve = agent.tool("resolve", key, "--done");
        assertEquals(0, resolve.exitCode(30), resolve.log());

        Response done = send(body);
        assertEquals(200, done.status(), done.body());
        assertEquals(List.of("skipped", "skipped", "skipped", "succeeded"), done.json().getJsonArray("steps").stream()
                .map(s -> ((JsonObject) s).getString("status")).toList());
        assertEquals(1, examples.calls(key).stream().filter(c -> c.startsWith("alembic")).count());
        assertEquals(1, examples.calls(key).stream().filter(c -> c.startsWith("gh issue create")).count());
    }

    static void deleteRecursively(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
