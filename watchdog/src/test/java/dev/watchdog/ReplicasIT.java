package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.demo.DemoService;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealPostgres;
import dev.watchdog.testing.RealPrometheus;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.Replicas;
import dev.watchdog.testing.WebhookRecorder.Reply;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three replicas of the built jar sharing a real PostgreSQL, judging a real Prometheus: any replica
 * answers, one acts, a lost one is replaced within two intervals, and nothing is done twice. All the
 * while a sampler asks every replica whether it leads, ten times a second.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasIT {

    static final Path DIR = Path.of("target", "it", "replicas");
    static final Duration INTERVAL = Duration.ofSeconds(2);
    /** How late a page may be after its level is due: the takeover (two intervals) and one tick more. */
    static final Duration LATE = INTERVAL.multipliedBy(3).plusSeconds(1);
    static final String RULES = RealStack.errorRateRules("p1: \"> 0.01\"", "p0: \"> 0.5\"", "for: 1s");

    static RealStack stack;
    static DemoService service;
    static RealPrometheus prometheus;
    static RealPostgres postgres;
    static WebhookRecorder people;
    static WebhookRecorder pager;
    static WebhookRecorder deployer;
    static Replicas replicas;
    static ScheduledExecutorService sampler;
    static final List<String> overlaps = new CopyOnWriteArrayList<>();
    static int version;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR.resolve("stack"));
        service = stack.service;
        prometheus = stack.prometheus;
        people = stack.recorder;
        pager = new WebhookRecorder(stack.vertx).start();
        deployer = new WebhookRecorder(stack.vertx).start();
        postgres = RealPostgres.start(DIR.resolve("pg"));
        replicas = Replicas.start(DIR.resolve("replicas"), 3, """
                prometheus: {url: "%s", timeout: 2s}
                evaluation: {interval: 2s}
                rules: [rules/*.yml]
                %s
                receivers:
                  level1: {webhook: {url: "%s"}, minInterval: 0s, retry: {attempts: 30, initial: 1s, max: 1s}}
                  level2: {webhook: {url: "%s"}, minInterval: 0s}
                  level3: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels:
                      - {after: 0s, notify: [level1]}
                      - {after: 10s, notify: [level2]}
                      - {after: 20s, notify: [level3]}
                rollback:
                  default:
                    webhook: {url: "%s", timeout: 2s, retry: {initial: 500ms, max: 1s, for: 2m}}
                    verify: 0s
                """.formatted(prometheus.url(), postgres.storageConfig(1), pager.url("/l1"), people.url("/l2"),
                people.url("/l3"), deployer.url("/rollback")), RULES);
        sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleWithFixedDelay(() -> {
            List<Integer> leaders = replicas.leaders();
            if (leaders.size() > 1) {
                overlaps.add(Instant.now() + " " + leaders);
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stop() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
        if (replicas != null) {
            replicas.stopAll();
        }
        if (postgres != null) {
            postgres.stop();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @BeforeEach
    void healthy() {
        service.errorRatio(0);
        Poll.until(Duration.ofSeconds(30), "the error ratio back at 0",
                () -> prometheus.query("sum(rate(http_requests_total{status=\"500\"}[5s]))").contains("\"0\"]"));
        pager.otherwise(Reply.status(200));
        deployer.otherwise(Reply.status(200));
    }

    static JsonObject registration() {
        return new JsonObject().put("service", "demo").put("version", "1.0." + (++version)).put("environment", "it")
                .put("window", "1h").put("bake", "1h");
    }

    static final java.util.Set<String> PAGING = java.util.Set.of("opened", "escalated", "repeated", "reescalated",
            "reopened");

    /** The pages a receiver got for a release (lifecycle messages left out): their kinds, in order. */
    static List<String> pages(WebhookRecorder recorder, String path, String release) {
        return recorder.calls(path).stream().map(c -> new JsonObject(c.body()))
                .filter(b -> release.equals(b.getString("release"))).map(b -> b.getString("kind"))
                .filter(PAGING::contains).toList();
    }

    static Instant arrival(WebhookRecorder recorder, String path, String release) {
        return recorder.calls(path).stream().filter(c -> release.equals(new JsonObject(c.body()).getString("release")))
                .filter(c -> PAGING.contains(new JsonObject(c.body()).getString("kind"))).findFirst().orElseThrow().at();
    }

    static Instant openedAt(String id) {
        return Instant.parse(replicas.release(anyAlive(), id).getJsonObject("incident").getString("openedAt"));
    }

    static int anyAlive() {
        for (int i = 0; i < replicas.size(); i++) {
            if (replicas.status(i, "/readyz") == 200) {
                return i;
            }
        }
        throw new AssertionError("no replica is ready");
    }

    static int awaitLeader() {
        Poll.until(Duration.ofSeconds(30), "one replica to lead", () -> replicas.leader().isPresent());
        return replicas.leader().orElseThrow();
    }

    @Test
    @Order(1)
    @DisplayName("kill -9 of the leader during an escalation: each level is paged exactly once, on time within the takeover")
    void escalationSurvivesKill9() {
        String id = replicas.register(0, registration());
        service.errorRatio(0.03);
        Poll.until(Duration.ofSeconds(30), "level 1 to be paged", () -> !pages(pager, "/l1", id).isEmpty());
        int leader = awaitLeader();
        replicas.kill9(leader);
        try {
            Poll.until(Duration.ofSeconds(60), "level 3 to be paged", () -> !pages(people, "/l3", id).isEmpty());
            Instant opened = openedAt(id);
            assertEquals(List.of("opened"), pages(pager, "/l1", id));
            assertEquals(List.of("escalated"), pages(people, "/l2", id));
            assertEquals(List.of("escalated"), pages(people, "/l3", id));
            assertOnTime(arrival(people, "/l2", id), opened.plusSeconds(10));
            assertOnTime(arrival(people, "/l3", id), opened.plusSeconds(20));
        } finally {
            replicas.restart(leader);
        }
    }

    static void assertOnTime(Instant arrived, Instant due) {
        assertTrue(!arrived.isBefore(due.minusMillis(500)), "paged at " + arrived + ", before it was due at " + due);
        assertTrue(arrived.isBefore(due.plus(LATE)), "paged at " + arrived + ", more than " + LATE + " after " + due);
    }

    @Test
    @Order(2)
    @DisplayName("an ack on a replica that never led stops the ladder")
    void ackOnAFollower() {
        String id = replicas.register(1, registration());
        service.errorRatio(0.03);
        Poll.until(Duration.ofSeconds(30), "level 1 to be paged", () -> !pages(pager, "/l1", id).isEmpty());
        int follower = neverLed();
        assertEquals(200, replicas.decide(follower, id, "ack", "looking at it"));
        Instant levelTwoDue = openedAt(id).plusSeconds(10);
        int leader = awaitLeader();
        Poll.until(Duration.ofSeconds(40), "the leader to have ticked past level 2's time", () -> lastTick(leader)
                .isAfter(levelTwoDue.plus(INTERVAL)));
        assertEquals(List.of(), pages(people, "/l2", id), "nobody above level 1 was paged");
        JsonObject incident = replicas.release(follower, id).getJsonObject("incident");
        assertEquals("acknowledged", incident.getString("status"));
        assertEquals("alice", incident.getJsonObject("acknowledged").getString("who"));
        assertEquals("looking at it", incident.getJsonObject("acknowledged").getString("reason"));
    }

    /** A replica whose log says it never led. */
    static int neverLed() {
        for (int i = 0; i < replicas.size(); i++) {
            if (replicas.status(i, "/readyz") == 200 && !replicas.log(i).contains("replica=r" + (i + 1) + " shards=[0]")) {
                return i;
            }
        }
        throw new AssertionError("every replica has led at some point");
    }

    static Instant lastTick(int replica) {
        String metrics = replicas.get(replica, "/metrics");
        String line = metrics.lines().filter(l -> l.startsWith("watchdog_last_successful_evaluation_timestamp_seconds "))
                .findFirst().orElse("x 0");
        return Instant.ofEpochMilli((long) (Double.parseDouble(line.split(" ")[1]) * 1000));
    }

    @Test
    @Order(3)
    @DisplayName("kill -9 of the leader during a rollback's retries: one Idempotency-Key, exactly one rollback answered")
    void rollbackSurvivesKill9() {
        deployer.otherwise(Reply.status(503));
        String id = replicas.register(2, registration());
        service.errorRatio(0.9);
        Poll.until(Duration.ofSeconds(30), "two attempts at the rollback", () -> deployer.calls("/rollback").stream()
                .filter(c -> c.body().contains(id)).count() >= 2);
        int leader = awaitLeader();
        replicas.kill9(leader);
        try {
            rollbackAfterTakeover(id);
        } finally {
            replicas.restart(leader);
        }
    }

    private void rollbackAfterTakeover(String id) {
        Poll.until(Duration.ofSeconds(30), "another replica to lead", () -> replicas.leader().isPresent());
        int before = deployer.calls("/rollback").size();
        Poll.until(Duration.ofSeconds(30), "the new leader to retry", () -> deployer.calls("/rollback").size() > before);
        int answeredFrom = deployer.calls("/rollback").size();
        deployer.otherwise(Reply.status(200));
        Poll.until(Duration.ofSeconds(30), "the release rolled back", () -> "rolled_back".equals(
                replicas.release(anyAlive(), id).getString("state")));
        List<WebhookRecorder.Call> calls = deployer.calls("/rollback").stream().filter(c -> c.body().contains(id)).toList();
        assertEquals(Map.of(id + ":rollback", (long) calls.size()), calls.stream()
                .collect(Collectors.groupingBy(c -> c.header("Idempotency-Key"), Collectors.counting())));
        assertEquals(1, deployer.calls("/rollback").size() - answeredFrom, "exactly one call after the deployer recovered");
    }

    @Test
    @Order(4)
    @DisplayName("a frozen leader (SIGSTOP, then SIGCONT after the takeover) sends nothing: its page in retry is sent once, by the new leader")
    void frozenLeaderSendsNothing() {
        pager.otherwise(Reply.status(500));
        String id = replicas.register(0, registration());
        service.errorRatio(0.03);
        Poll.until(Duration.ofSeconds(30), "level 1's page to be tried", () -> !pages(pager, "/l1", id).isEmpty());
        int frozen = awaitLeader();
        replicas.freeze(frozen);
        Poll.until(Duration.ofSeconds(30), "another replica to lead", () -> replicas.leader().filter(i -> i != frozen)
                .isPresent());
        int recoveredFrom = pager.calls("/l1").size();
        pager.otherwise(Reply.status(200));
        Poll.until(Duration.ofSeconds(30), "the page to be delivered", () -> pager.calls("/l1").size() > recoveredFrom);
        replicas.thaw(frozen);
        Poll.until(Duration.ofSeconds(30), "the thawed replica to know it lost its leadership",
                () -> replicas.log(frozen).contains("leadership lost"));
        int leader = awaitLeader();
        Poll.until(Duration.ofSeconds(20), "two more ticks", () -> lastTick(leader).isAfter(Instant.now().minusMillis(100)));
        List<String> afterRecovery = pager.calls("/l1").stream().skip(recoveredFrom)
                .map(c -> new JsonObject(c.body())).filter(b -> id.equals(b.getString("release")))
                .filter(b -> PAGING.contains(b.getString("kind"))).map(b -> b.getString("key")).toList();
        assertEquals(1, afterRecovery.size(), "the page was answered once, by one replica: " + afterRecovery);
    }

    @Test
    @Order(6)
    @DisplayName("the database lost: every replica unready, nothing acts; back: work resumes with nothing lost")
    void databaseLoss() {
        String id = replicas.register(1, registration());
        postgres.kill9();
        Poll.until(Duration.ofSeconds(30), "every replica to be unready", () -> replicas.status(0, "/readyz") == 503
                && replicas.status(1, "/readyz") == 503 && replicas.status(2, "/readyz") == 503);
        Poll.until(Duration.ofSeconds(30), "no replica to lead", () -> replicas.leaders().isEmpty());
        assertTrue(replicas.get(0, "/metrics").contains("watchdog_leader 0.0"));
        assertNotEquals("", replicas.get(0, "/metrics").lines()
                .filter(l -> l.startsWith("watchdog_store_errors_total") && !l.endsWith(" 0.0")).findFirst().orElse(""));
        service.errorRatio(0.03);
        int paged = pager.calls("/l1").size();
        postgres.start();
        Poll.until(Duration.ofSeconds(60), "every replica ready again", () -> replicas.status(0, "/readyz") == 200
                && replicas.status(1, "/readyz") == 200 && replicas.status(2, "/readyz") == 200);
        awaitLeader();
        try {
            Poll.until(Duration.ofSeconds(30), "the breach to page level 1", () -> !pages(pager, "/l1", id).isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the release: " + replicas.release(anyAlive(), id) + "; leaders: "
                    + replicas.leaders() + "; metrics of r1: " + replicas.get(0, "/metrics").lines()
                    .filter(l -> l.startsWith("watchdog_") && !l.contains("bucket")).toList(), e);
        }
        assertTrue(pager.calls("/l1").size() > paged);
        assertEquals("degraded", replicas.release(0, id).getString("state"), "the release registered before the loss");
    }

    @Test
    @Order(5)
    @DisplayName("at no moment did two replicas act: every sample saw at most one leader, and no page or rollback arrived twice")
    void neverTwo() {
        assertEquals(List.of(), overlaps);
        for (String path : List.of("/l2", "/l3")) {
            Map<String, Long> keys = people.calls(path).stream().map(c -> new JsonObject(c.body()).getString("key"))
                    .collect(Collectors.groupingBy(k -> k, Collectors.counting()));
            keys.forEach((key, n) -> assertEquals(1L, n, key + " arrived " + n + " times at " + path));
        }
    }

    @Test
    @Order(7)
    @DisplayName("two replicas register one service and environment at the same moment, 15 times: one stays watched, and its P0 is rolled back once")
    void simultaneousRegistrations() throws Exception {
        List<String> ids = new ArrayList<>();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 15; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<String>> both = new ArrayList<>();
                for (int replica = 0; replica < 2; replica++) {
                    int r = replica;
                    JsonObject body = registration().put("environment", "simultaneous");
                    both.add(two.submit(() -> {
                        together.await();
                        return replicas.register(r, body);
                    }));
                }
                List<String> pair = List.of(both.get(0).get(), both.get(1).get());
                ids.addAll(pair);
                List<String> watched = pair.stream().filter(id -> "watching".equals(replicas.release(0, id).getString("state")))
                        .toList();
                assertEquals(1, watched.size(), "round " + round + ": watched " + watched + " of " + pair);
            }
        } finally {
            two.shutdownNow();
        }
        List<String> watched = ids.stream().filter(id -> "watching".equals(replicas.release(0, id).getString("state")))
                .toList();
        assertEquals(1, watched.size(), "watched at the end: " + watched);
        service.errorRatio(0.9);
        Poll.until(Duration.ofSeconds(30), "the watched release rolled back", () -> "rolled_back".equals(
                replicas.release(anyAlive(), watched.get(0)).getString("state")));
        List<WebhookRecorder.Call> calls = deployer.calls("/rollback").stream()
                .filter(c -> ids.stream().anyMatch(id -> c.body().contains("\"" + id + "\""))).toList();
        assertEquals(1, calls.size(), "rollback calls for the registrations: " + calls.size());
    }
}
