package dev.watchdog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.Context;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Machine;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Step;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.Event;
import dev.watchdog.release.Registration;
import dev.watchdog.rules.RuleFixtures;
import dev.watchdog.store.Store.Applied;
import dev.watchdog.store.Store.Command;
import dev.watchdog.testing.RealPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every store promises, run against the embedded SQLite and a real PostgreSQL: a change is one
 * transaction on the release as it stands; effects are stored with it, once; refused inputs change
 * nothing; conflicting inputs on one release are applied one at a time; a leader's writes are fenced.
 */
class StoreContractTest {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final Context CTX = new Context(new ConfigLoader(n -> null).parse("""
            prometheus: {url: "http://127.0.0.1:1"}
            rollback:
              default: {webhook: {url: "https://deployer.example/rollback"}}
            """, "test.yml"), RuleFixtures.ruleSet("""
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
            """));
    static final Machine MACHINE = new Machine(CTX);
    static final Store.Stepper STEP = (w, in) -> MACHINE.step(w, in, T0.plusSeconds(15));
    static final AtomicInteger DATABASES = new AtomicInteger();

    static Vertx vertx;
    static RealPostgres postgres;
    Store store;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        postgres = RealPostgres.start(Path.of("target", "it", "store-contract-pg"));
    }

    @AfterAll
    static void stop() {
        postgres.stop();
        vertx.close().await();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close().await();
        }
    }

    Store open(String kind) {
        if (kind.equals("sqlite")) {
            store = SqliteStore.open(vertx, dir, Clock.systemUTC()).await();
        } else {
            String db = "contract_" + DATABASES.incrementAndGet();
            postgres.sql("postgres", "create database " + db);
            WatchdogConfig.Postgres pg = new WatchdogConfig.Postgres(postgres.url().replace("/watchdog", "/" + db),
                    RealPostgres.USER, new dev.watchdog.core.Secret(RealPostgres.PASSWORD), 1, 4, null);
            store = PostgresStore.open(vertx, pg, "contract", Clock.systemUTC()).await();
        }
        return store;
    }

    static Release release(String service) {
        return new Registration(service, "1.4.0", "1.3.2", "production", Map.of(), Duration.ofHours(2),
                Duration.ofMinutes(30), null, null).toRelease(T0, Duration.ofHours(24), Set.of("default"),
                Set.of("default"), Set.of("service"));
    }

    static Watch register(Store store, Release r) {
        List<Applied> applied = store.register(r, new Input.Register(r), new Input.Supersede(r.id(), r.version()), STEP)
                .await();
        return applied.get(applied.size() - 1).after();
    }

    static Input.Observe errorRate(double value) {
        return new Input.Observe(Map.of("error-rate", new Observation.Values(List.of(new Series(Map.of(), value)))));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    @DisplayName("a registered release reads back as written, with its timeline in order, and is held")
    void registers(String kind) {
        Store s = open(kind);
        Watch w = register(s, release("api"));
        assertEquals(w, s.watch(w.id()).await().orElseThrow());
        assertEquals(List.of(w.id()), s.held().await().stream().map(Watch::id).toList());
        assertEquals(List.of(w.id()), s.list(new Store.Filter(Release.State.WATCHING, null, null), 10).await().stream()
                .map(Watch::id).toList());
        assertEquals(1, s.list(new Store.Filter(null, "api", w.release().environment()), 10).await().size());
        assertEquals(0, s.list(new Store.Filter(null, "web", null), 10).await().size());
        List<Event> events = s.events(w.id()).await();
        assertEquals(Event.Type.REGISTERED, events.get(0).type());
        assertTrue(events.get(0).seq() > 0);
        s.ping().await();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    @DisplayName("registering a new version supersedes the watched one of the same service and environment, in one transaction")
    void supersedes(String kind) {
        Store s = open(kind);
        Watch older = register(s, release("api"));
        Watch other = register(s, release("web"));
        Watch newer = register(s, release("api"));
        Watch was = s.watch(older.id()).await().orElseThrow();
        assertEquals("cancelled", was.release().state().label());
        assertEquals(newer.id(), was.release().supersededBy());
        assertEquals("watching", s.watch(other.id()).await().orElseThrow().release().state().label());
        assertEquals(Set.of(other.id(), newer.id()), Set.copyOf(s.held().await().stream().map(Watch::id).toList()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    @DisplayName("a step's effects are stored with it, once; answered ones leave the pending list; a refused input writes nothing")
    void outbox(String kind) {
        Store s = open(kind);
        Watch w = register(s, release("api"));
        List<Applied> p0 = s.apply(List.of(new Command(w.id(), errorRate(0.2))), STEP).await();
        List<OutboxEntry> calls = p0.get(0).effects().stream().filter(e -> e.effect() instanceof Effect.CallRollback).toList();
        assertEquals(1, calls.size());
        assertEquals(calls.get(0).id(), s.pending().await().stream().filter(e -> e.effect() instanceof Effect.CallRollback)
                .findFirst().orElseThrow().id());
        int eventsBefore = s.events(w.id()).await().size();
        List<Applied> refused = s.apply(List.of(new Command(w.id(), new Input.Finish("ci", null))), STEP).await();
        assertInstanceOf(Step.Refused.class, refused.get(0).step());
        assertEquals(eventsBefore, s.events(w.id()).await().size());
        Leadership.Fence fence = new Leadership.Fence(0, 1);
        leadShard(s, fence);
        assertTrue(s.claim(calls.get(0).id(), fence).await());
        Input answered = new Input.RollbackAnswered(calls.get(0).id(),
                new dev.watchdog.machine.Answer(OutboxEntry.Status.SENT, 1, 200, null));
        s.apply(List.of(new Command(w.id(), answered)), STEP).await();
        assertTrue(s.pending().await().stream().noneMatch(e -> e.id().equals(calls.get(0).id())));
        assertFalse(s.claim(calls.get(0).id(), fence).await(), "an answered effect cannot be claimed again");
        assertEquals("rolled_back", s.watch(w.id()).await().orElseThrow().release().state().label());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    @DisplayName("twenty decisions to roll back one release at once: one moves it, the rest are refused, one call is stored")
    void conflictingInputs(String kind) {
        Store s = open(kind);
        Watch w = register(s, release("api"));
        List<Future<List<Applied>>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(s.apply(List.of(new Command(w.id(), new Input.DecideRollback("alice-" + i, null))), STEP));
        }
        Future.all(all).await();
        long moved = all.stream().map(f -> f.result().get(0).step()).filter(Step.Moved.class::isInstance).count();
        assertEquals(1, moved);
        assertEquals(1, s.outbox(w.id()).await().stream().filter(e -> e.effect() instanceof Effect.CallRollback).count());
        assertEquals("rolling_back", s.watch(w.id()).await().orElseThrow().release().state().label());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgres"})
    @DisplayName("a leader's tick and claims under an old epoch are refused once another replica has taken the shard")
    void fenced(String kind) throws Exception {
        Store s = open(kind);
        assumeTrue(s.kind().equals("postgres"));
        Watch w = register(s, release("api"));
        Leadership.Fence old = new Leadership.Fence(0, 1);
        leadShard(s, old);
        s.apply(List.of(new Command(w.id(), errorRate(0.2))), STEP, old).await();
        String call = s.pending().await().stream().filter(e -> e.effect() instanceof Effect.CallRollback).findFirst()
                .orElseThrow().id();
        Leadership.Fence newer = new Leadership.Fence(0, 2);
        leadShard(s, newer);
        Throwable refused = s.apply(List.of(new Command(w.id(), new Input.Tick())), STEP, old)
                .transform(ar -> Future.succeededFuture(ar.cause())).await();
        assertInstanceOf(FencedException.class, refused);
        assertFalse(s.claim(call, old).await(), "the old leader cannot claim");
        assertTrue(s.claim(call, newer).await(), "the new one can");
    }

    /** Records in the leadership table that {@code fence} leads its shard (what a takeover writes). */
    private void leadShard(Store s, Leadership.Fence fence) {
        if (!s.kind().equals("postgres")) {
            return;
        }
        String db = "contract_" + DATABASES.get();
        postgres.sql(db, "insert into leadership (shard, epoch, holder, pid) values (" + fence.shard() + ", "
                + fence.epoch() + ", 'test', 0) on conflict (shard) do update set epoch = excluded.epoch");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgres"})
    @DisplayName("two replicas opening a new database together create the schema once")
    void migratesOnce(String kind) throws Exception {
        String db = "contract_" + DATABASES.incrementAndGet();
        postgres.sql("postgres", "create database " + db);
        WatchdogConfig.Postgres pg = new WatchdogConfig.Postgres(postgres.url().replace("/watchdog", "/" + db),
                RealPostgres.USER, new dev.watchdog.core.Secret(RealPostgres.PASSWORD), 1, 2, null);
        List<Future<Store>> both = List.of(PostgresStore.open(vertx, pg, "contract", Clock.systemUTC()),
                PostgresStore.open(vertx, pg, "contract", Clock.systemUTC()));
        Future.all(both).await();
        try (Connection c = java.sql.DriverManager.getConnection(pg.url(), RealPostgres.USER, RealPostgres.PASSWORD);
             Statement st = c.createStatement(); var rs = st.executeQuery("select count(*), max(version) from schema_version")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
            assertEquals(2, rs.getInt(2));
        }
        both.forEach(f -> f.result().close().await());
        assertEquals("postgres", kind);
    }
}
