package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.OneShotHttp;
import dev.watchdog.testing.OneShotHttp.Ending;
import dev.watchdog.testing.OneShotHttp.Outcome;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM under load, for real: the jar with a tick in flight (Prometheus answers after 800 ms),
 * deploy scripts registering, finishing and cancelling, on-call rolling back (the deployer takes
 * 400 ms to answer), scripts waiting for verdicts, each request on a connection of its own; SIGTERM
 * lands in the middle. What the clients and the operator see: exit code 0, no ERROR line, no answer
 * cut in the middle, every waiting script answered with its release as it stands, and after a
 * restart exactly what was answered is stored: nothing a client got no answer for, and each
 * rollback the deployer answered during the stop called once, not again.
 *
 * <p>A connection that the kernel or the server accepted in the instant the listener closed is
 * reset or closed before any byte of an answer: no server can answer or refuse it, because it had
 * not read the request. Such clients see a connection error, and the test checks that nothing they
 * sent was applied.
 */
class StopIT {

    static final Path DIR = Path.of("target", "it", "stop");
    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p0: "> 0.05"
            """;

    static Vertx vertx;
    static FakePrometheus prometheus;
    static WebhookRecorder deployer;

    @BeforeAll
    static void start() {
        RealStack.deleteRecursively(DIR);
        vertx = Vertx.vertx();
        FakePrometheus.Answer healthy = FakePrometheus.value("0");
        prometheus = new FakePrometheus(vertx).start();
        prometheus.otherwise(q -> new FakePrometheus.Answer(healthy.status(), healthy.body(), 800));
        // A deployer that takes a moment to answer: rollback calls are under way when SIGTERM comes.
        deployer = new WebhookRecorder(vertx).start().answerAfter(Duration.ofMillis(400));
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    /** A request sent under load, and how it ended for its client. */
    record Sent(String what, String release, int n, Outcome outcome) {
        boolean answered() {
            return outcome.ending() == Ending.ANSWERED;
        }
    }

    @Test
    @DisplayName("SIGTERM under load: exit 0, no ERROR, each request answered or refused, nothing half-applied")
    void sigtermUnderLoad() {
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon"), StopIT::config, RULES, Map.of());
        int port = URI.create(daemon.url()).getPort();
        List<String> waited = registerMany(daemon, "waited", 8);
        List<String> finished = registerMany(daemon, "finished", 12);
        List<String> cancelled = registerMany(daemon, "cancelled", 8);
        List<String> rolledBack = registerMany(daemon, "rolled-back", 8);
        Poll.until(Duration.ofSeconds(10), "a tick waiting for Prometheus", () -> prometheus.inFlight.get() > 0);

        ExecutorService pool = Executors.newFixedThreadPool(96);
        List<CompletableFuture<Sent>> load = new ArrayList<>();
        waited.forEach(id -> load.add(at(pool, 0, () -> new Sent("verdict", id, 0,
                OneShotHttp.send(port, "GET", "/api/v1/releases/" + id + "/verdict?wait=5m", RealDaemon.TOKEN, null)))));
        IntStream.range(0, 48).forEach(n -> load.add(at(pool, n * 17 % 800, () -> new Sent("register", null, n,
                OneShotHttp.send(port, "POST", "/api/v1/releases", RealDaemon.TOKEN, registration("load", n))))));
        decide(pool, load, port, finished, "finished", "POST /finish", RealDaemon.TOKEN);
        decide(pool, load, port, cancelled, "cancelled", "DELETE ", RealDaemon.TOKEN);
        decide(pool, load, port, rolledBack, "rolled-back", "POST /rollback", RealDaemon.ONCALL_TOKEN);
        IntStream.range(0, 12).forEach(n -> load.add(at(pool, n * 61 % 800, () -> new Sent("list", null, n,
                OneShotHttp.send(port, "GET", "/api/v1/releases?limit=1000", RealDaemon.TOKEN, null)))));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            LockSupport.parkNanos(Duration.ofMillis(400).toNanos());
            return daemon.terminate();
        });

        assertEquals(0, exit.join(), "exit code after SIGTERM; log:\n" + daemon.log());
        List<Sent> sent = load.stream().map(CompletableFuture::join).toList();
        pool.shutdown();
        assertEquals(List.of(), daemon.log().lines().filter(l -> l.contains(" ERROR ")).toList(), "ERROR lines");
        assertEquals(List.of(), sent.stream().filter(s -> s.outcome().ending() == Ending.CUT_MID_ANSWER).toList(),
                "answers cut in the middle");
        assertTrue(sent.stream().anyMatch(Sent::answered) && sent.stream().anyMatch(s -> !s.answered()),
                "SIGTERM landed in the middle of the load");
        assertVerdictsAnswered(sent);

        daemon.restart();
        try {
            assertStoredAsAnswered(daemon, sent);
        } finally {
            daemon.stop();
        }
    }

    /** Every waiting script got its release as it stood, undecided, rather than a cut connection. */
    private static void assertVerdictsAnswered(List<Sent> sent) {
        for (Sent s : sent.stream().filter(s -> s.what().equals("verdict")).toList()) {
            assertEquals(Ending.ANSWERED, s.outcome().ending(), s.toString());
            assertEquals(200, s.outcome().status(), s.toString());
            JsonObject release = new JsonObject(s.outcome().body());
            assertEquals(s.release(), release.getString("id"));
            assertEquals("watching", release.getString("state"));
            assertNull(release.getValue("verdict"));
        }
    }

    /** After a restart: what was answered is stored; what was not answered was not applied. */
    private static void assertStoredAsAnswered(RealDaemon daemon, List<Sent> sent) {
        Map<String, String> stored = new HashMap<>();
        new JsonArray(daemon.get("/api/v1/releases?limit=1000")).stream().map(JsonObject.class::cast)
                .filter(r -> "load".equals(r.getJsonObject("labels").getString("group")))
                .forEach(r -> stored.put(r.getJsonObject("labels").getString("req"), r.getString("id")));
        for (Sent s : sent.stream().filter(s -> s.what().equals("register")).toList()) {
            String id = stored.get(String.valueOf(s.n()));
            if (s.answered() && s.outcome().status() == 201) {
                assertEquals(new JsonObject(s.outcome().body()).getString("id"), id, "registration " + s.n() + " lost");
            } else {
                assertNull(id, "registration " + s.n() + " stored though its client got " + s.outcome());
            }
        }
        for (Sent s : sent.stream().filter(s -> s.release() != null && !s.what().equals("verdict")).toList()) {
            String state = daemon.release(s.release()).getString("state");
            if (s.answered()) {
                assertEquals(200, s.outcome().status(), s.toString());
                String expected = s.what().equals("rolled-back") ? "rolling_back|rolled_back" : s.what().equals("finished")
                        ? "passed" : "cancelled";
                assertTrue(state.matches(expected), s + " reads " + state);
            } else {
                assertEquals("watching", state, s + " was applied though its client got no answer");
            }
        }
        for (Sent s : sent.stream().filter(s -> s.what().equals("rolled-back") && s.answered()).toList()) {
            Poll.until(Duration.ofSeconds(15), "the rollback of " + s.release(),
                    () -> "rolled_back".equals(daemon.release(s.release()).getString("state")));
            assertEquals(1, deployer.withKey(s.release() + ":rollback").size(), "calls for " + s.release()
                    + ": one, whether it was answered before the stop (and stored) or resumed after it");
            assertEquals(1, deployer.calls.stream().filter(c -> c.body().contains(s.release())).count());
        }
    }

    /** {@code route}: the method, a space, and what follows the release's path. */
    private static void decide(ExecutorService pool, List<CompletableFuture<Sent>> load, int port, List<String> ids,
                               String what, String route, String token) {
        String method = route.substring(0, route.indexOf(' '));
        String suffix = route.substring(route.indexOf(' ') + 1);
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            load.add(at(pool, i * 97 % 800, () -> new Sent(what, id, 0,
                    OneShotHttp.send(port, method, "/api/v1/releases/" + id + suffix, token, null))));
        }
    }

    /** Runs {@code request} {@code millis} after now: the moments are spread around the SIGTERM. */
    private static CompletableFuture<Sent> at(ExecutorService pool, long millis, java.util.function.Supplier<Sent> request) {
        long due = System.nanoTime() + Duration.ofMillis(millis).toNanos();
        return CompletableFuture.supplyAsync(() -> {
            LockSupport.parkNanos(due - System.nanoTime());
            return request.get();
        }, pool);
    }

    /** All at once: each registration's first look waits on the slow Prometheus (0.8 s), one after another 30 s. */
    private static List<String> registerMany(RealDaemon daemon, String group, int count) {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<CompletableFuture<String>> ids = IntStream.range(0, count).mapToObj(n -> CompletableFuture.supplyAsync(
                    () -> daemon.register(new JsonObject(registration(group, n))), pool)).toList();
            return ids.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdown();
        }
    }

    /** Each release in an environment of its own: none supersedes another. */
    private static String registration(String group, int n) {
        return new JsonObject().put("service", "api").put("version", "1.0." + n).put("environment", group + "-" + n)
                .put("window", "1h").put("labels", new JsonObject().put("group", group).put("req", String.valueOf(n)))
                .encode();
    }

    private static String config(int port) {
        return """
                prometheus: {url: "%s", timeout: 5s}
                evaluation: {interval: 200ms}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens:
                    - {name: ci, role: deployer, token: "%s"}
                    - {name: alice, role: oncall, token: "%s"}
                rollback:
                  default: {webhook: {url: "%s", timeout: 5s}, verify: 0s}
                """.formatted(prometheus.url(), port, RealDaemon.TOKEN, RealDaemon.ONCALL_TOKEN, deployer.url("/rollback"));
    }
}
