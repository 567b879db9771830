package dev.watchdog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Step;
import dev.watchdog.machine.Watch;
import dev.watchdog.store.Store.Applied;
import dev.watchdog.store.Store.Command;
import dev.watchdog.testing.RealPostgres;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a tick writes: a release whose quiet rules only read new values is not written (the store
 * answers with them all the same where it keeps them), one whose state changes is; and a leader that
 * goes on from what it knows never writes over a decision taken meanwhile on another replica.
 */
class DurableWritesTest {

    static final Instant T0 = StoreContractTest.T0;
    static final Leadership.Fence FENCE = new Leadership.Fence(0, 1);

    static Vertx vertx;
    static RealPostgres postgres;
    static int databases;
    Store store;
    Store other;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        postgres = RealPostgres.start(Path.of("target", "it", "durable-writes-pg"));
    }

    @AfterAll
    static void stop() {
        postgres.stop();
        vertx.close().await();
    }

    @AfterEach
    void close() {
        for (Store s : new Store[] {store, other}) {
            if (s != null) {
                s.close().await();
            }
        }
    }

    Store open(String kind) {
        if (kind.equals("sqlite")) {
            return SqliteStore.open(vertx, dir, Clock.systemUTC()).await();
        }
        String db = "durable_" + ++databases;
        postgres.sql("postgres", "create database " + db);
        postgres.sql(db, "select 1");
        Store s = pg(db, "leader");
        postgres.sql(db, "insert into leadership (shard, epoch, holder, pid) values (0, 1, 'leader', 0)");
        return s;
    }

    static Store pg(String db, String replica) {
        return PostgresStore.open(vertx, new WatchdogConfig.Postgres(postgres.url().replace("/watchdog", "/" + db),
                RealPostgres.USER, new dev.watchdog.core.Secret(RealPostgres.PASSWORD), 1, 4, null), replica,
                Clock.systemUTC()).await();
    }

    /** A leader's tick at {@code seconds} after T0: what its store knows is what it steps. */
    static List<Applied> tick(Store s, String id, Input input, long seconds) {
        s.led(Map.of(0, FENCE), x -> 0).await();
        return s.apply(List.of(new Command(id, input)), (w, in) -> StoreContractTest.MACHINE.step(w, in, T0.plusSeconds(seconds)),
                FENCE).await();
    }

    static Watch led(Store s, String id) {
        return s.led(Map.of(0, FENCE), x -> 0).await().stream().filter(w -> w.id().equals(id)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    @DisplayName("an ok rule reading a new value writes no release row; a rule that breaches does; the leader knows the latest value")
    void unchangedWritesNothing(String kind) {
        store = open(kind);
        Watch w = StoreContractTest.register(store, StoreContractTest.release("api"));
        tick(store, w.id(), StoreContractTest.errorRate(0.001), 15);
        long written = store.releasesWritten();

        tick(store, w.id(), StoreContractTest.errorRate(0.002), 30);
        tick(store, w.id(), new Input.Tick(), 45);
        assertEquals(written, store.releasesWritten(), "nothing durable changed: no row written");
        assertEquals(0.002, led(store, w.id()).rules().get("error-rate").value(), "the leader steps from the latest reading");
        assertEquals(T0.plusSeconds(30), led(store, w.id()).rules().get("error-rate").evaluatedAt());

        tick(store, w.id(), StoreContractTest.errorRate(0.03), 60);
        assertEquals(written + 1, store.releasesWritten(), "the outcome changed: the row is written");
        Watch stored = store.watch(w.id()).await().orElseThrow();
        assertEquals(Outcome.P1, stored.rules().get("error-rate").outcome());
        assertEquals(0.03, stored.rules().get("error-rate").value());
    }

    @Test
    @DisplayName("a decision taken on another replica after the leader read the release: the leader's step goes on from the row as it is now")
    void leaderNeverWritesOverADecision() {
        store = open("postgres");
        Watch w = StoreContractTest.register(store, StoreContractTest.release("api"));
        tick(store, w.id(), StoreContractTest.errorRate(0.001), 15);
        led(store, w.id());
        other = pg("durable_" + databases, "other");
        other.apply(List.of(new Command(w.id(), new Input.Cancel("ci", "rolled forward"))),
                (x, in) -> StoreContractTest.MACHINE.step(x, in, T0.plusSeconds(20))).await();

        List<Applied> applied = store.apply(List.of(new Command(w.id(), StoreContractTest.errorRate(0.2))),
                (x, in) -> StoreContractTest.MACHINE.step(x, in, T0.plusSeconds(30)), FENCE).await();
        assertInstanceOf(Step.Refused.class, applied.get(0).step(), "judged on the cancelled release, not on what the leader knew");
        assertEquals(Release.State.CANCELLED, store.watch(w.id()).await().orElseThrow().release().state());
        assertTrue(store.outbox(w.id()).await().stream().noneMatch(e -> e.effect() instanceof Effect.CallRollback),
                "no rollback of a cancelled release");
        assertEquals(List.of(), store.led(Map.of(0, FENCE), x -> 0).await(), "no longer held");
    }
}
