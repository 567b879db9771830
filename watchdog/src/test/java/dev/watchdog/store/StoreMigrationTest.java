package dev.watchdog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.Watchdog;
import dev.watchdog.config.ConfigLoader;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.Event;
import dev.watchdog.testing.MutableClock;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A store written by the first schema (no version), opened by this code: carried forward, nothing lost. */
@ExtendWith(VertxExtension.class)
class StoreMigrationTest {

    static final String STUCK = "rel_01M7W6C65RA8GMZF0275NCZQAB";

    @TempDir
    Path dir;

    @BeforeEach
    void copyFixture() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.copy(Path.of("src/test/resources/store/v1/watchdog.db"), dir.resolve("data/watchdog.db"));
    }

    Store open(Vertx vertx) {
        return SqliteStore.open(vertx, dir.resolve("data"), Clock.systemUTC()).await();
    }

    @Test
    @DisplayName("every release keeps its state, rules, incident and timeline; what was held is held")
    void releasesCarriedForward(Vertx vertx) {
        Store store = open(vertx);
        Map<String, String> states = store.list(Store.Filter.ALL, 100).await().stream()
                .collect(Collectors.toMap(w -> w.release().service() + " " + w.release().version(),
                        w -> w.release().state().label()));
        assertEquals(Map.of("watching 1.4.0", "watching", "degraded 1.4.0", "degraded",
                "rolledback 1.4.0", "rolled_back", "stuck 1.4.0", "rolling_back", "finished 1.4.0", "passed",
                "superseded 1.4.0", "cancelled", "superseded 1.4.1", "watching"), states);
        List<String> held = store.held().await().stream().map(w -> w.release().service()).sorted().toList();
        assertEquals(List.of("degraded", "stuck", "superseded", "watching"), held);
        Watch degraded = store.held().await().stream().filter(w -> w.release().service().equals("degraded"))
                .findFirst().orElseThrow();
        assertEquals(Incident.Status.OPEN, degraded.incident().status());
        assertEquals("p1", degraded.rules().get("error-rate").outcome().label());
        assertTrue(degraded.announced().contains("watching"));
        List<Event.Type> timeline = store.events(degraded.id()).await().stream().map(Event::type).toList();
        assertTrue(timeline.containsAll(List.of(Event.Type.REGISTERED, Event.Type.OUTCOME, Event.Type.DEGRADED,
                Event.Type.INCIDENT)), timeline.toString());
        store.close().await();
    }

    @Test
    @DisplayName("a rollback stored but never answered is in the outbox with its original key; pending notifications too")
    void outboxCarriedForward(Vertx vertx) {
        Store store = open(vertx);
        List<OutboxEntry> pending = store.pending().await();
        OutboxEntry call = pending.stream().filter(e -> e.effect() instanceof Effect.CallRollback).findFirst().orElseThrow();
        Effect.CallRollback rollback = (Effect.CallRollback) call.effect();
        assertEquals(STUCK + ":rollback", rollback.key());
        assertEquals("stuck", rollback.target());
        assertTrue(rollback.body().contains("\"reason\":{\"rule\":\"error-rate\",\"severity\":\"P0\""), rollback.body());
        long notifications = pending.stream().filter(e -> e.effect() instanceof Effect.Notify).count();
        assertEquals(16, notifications, "the first schema's store had 16 notifications pending");
        Map<String, String> degraded = store.outbox("rel_01M7W6C478BBPPAPDRCMKFM6ZB").await().stream()
                .collect(Collectors.toMap(OutboxEntry::id, e -> e.status().label()));
        assertEquals(Map.of("rel_01M7W6C478BBPPAPDRCMKFM6ZB.1:1:opened@rm", "sent",
                "rel_01M7W6C478BBPPAPDRCMKFM6ZB.1:1:opened@slow", "pending",
                "rel_01M7W6C478BBPPAPDRCMKFM6ZB:watching@rm", "pending",
                "rel_01M7W6C478BBPPAPDRCMKFM6ZB:watching@slow", "pending"), degraded, "sent ones stay sent, with their keys");
        store.close().await();
    }

    @Test
    @DisplayName("the schema is recorded as version 2, opening again changes nothing, and a newer store is refused")
    void versioned(Vertx vertx) throws Exception {
        open(vertx).close().await();
        assertEquals(2, version());
        Store again = open(vertx);
        assertEquals(4, again.held().await().size());
        again.close().await();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/watchdog.db"));
             Statement st = c.createStatement()) {
            st.execute("update schema_version set version = 99");
        }
        Throwable refused = SqliteStore.open(vertx, dir.resolve("data"), Clock.systemUTC())
                .transform(ar -> Future.succeededFuture(ar.cause())).await();
        assertNotNull(refused, "a store written by a newer watchdog is not opened");
        assertTrue(refused.getMessage().contains("newer watchdog (schema 99"), refused.getMessage());
    }

    @Test
    @DisplayName("the daemon started on the old store sends the unanswered rollback with its original Idempotency-Key, once")
    void daemonResumes(Vertx vertx) throws Exception {
        WebhookRecorder deployer = new WebhookRecorder(vertx).start();
        Files.writeString(dir.resolve("watchdog.yml"), """
                prometheus: {url: "http://127.0.0.1:1", timeout: 1s}
                storage: {path: data/}
                rules: [rules.yml]
                server: {listen: 127.0.0.1:0}
                receivers:
                  rm: {webhook: {url: "%s"}, minInterval: 0s}
                  slow: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels:
                      - {after: 0m, notify: [rm, slow]}
                rollback:
                  default: {webhook: {url: "%s"}}
                  stuck: {webhook: {url: "%s"}}
                """.formatted(deployer.url("/rm"), deployer.url("/slow"), deployer.url("/rollback"),
                deployer.url("/stuck")));
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: golden-signals
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: error_ratio{service="{{service}}"}
                        unit: ratio
                        p1: "> 0.01"
                        p0: "> 0.05"
                """);
        Watchdog daemon = new Watchdog(() -> new ConfigLoader(n -> null).load(dir.resolve("watchdog.yml")), dir,
                new MutableClock(Instant.parse("2026-11-20T10:01:00Z")), false);
        String id = vertx.deployVerticle(daemon).await();
        Poll.until(Duration.ofSeconds(10), "the rollback to be resent", () -> deployer.calls("/stuck").size() == 1);
        assertEquals(STUCK + ":rollback", deployer.calls("/stuck").get(0).header("Idempotency-Key"));
        WebClient http = WebClient.create(vertx);
        Poll.until(Duration.ofSeconds(10), "the outbox to be empty", () -> {
            daemon.tick().await();
            String metrics = http.get(daemon.port(), "127.0.0.1", "/metrics").send().await().bodyAsString();
            return metrics.contains("watchdog_outbox_pending{kind=\"notify\"} 0.0")
                    && metrics.contains("watchdog_outbox_pending{kind=\"rollback\"} 0.0");
        });
        vertx.undeploy(id).await();
        Store store = open(vertx);
        assertEquals(List.of(), store.pending().await().stream().map(OutboxEntry::id).toList(), "nothing left pending");
        List<OutboxEntry> dropped = store.held().await().stream().flatMap(w -> store.outbox(w.id()).await().stream())
                .filter(e -> e.status() == OutboxEntry.Status.DROPPED).toList();
        dropped.forEach(e -> assertTrue(((Effect.Notify) e.effect()).notification().kind().paging(),
                "only pages of incidents no longer open are dropped: " + e.id()));
        assertTrue(deployer.calls("/rm").size() >= 5, "the lifecycle messages and open pages were sent");
        Watch stuck = store.watch(STUCK).await().orElseThrow();
        assertEquals("rolled_back", stuck.release().state().label());
        assertNotNull(stuck.rollback().answeredAt());
        assertFalse(store.events(STUCK).await().isEmpty());
        assertNull(store.watch("rel_unknown").await().orElse(null));
        assertEquals(1, deployer.calls("/stuck").size(), "sent once");
        store.close().await();
    }

    private int version() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/watchdog.db"));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select version from schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
