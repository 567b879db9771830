package dev.watchdog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Secret;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealPostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Leadership of two replicas on a real PostgreSQL: a shard moves between live replicas only between pieces of work. */
class PostgresLeadershipTest {

    static final Duration LEASE = Duration.ofSeconds(1);
    static final int SHARDS = 8;

    static Vertx vertx;
    static RealPostgres postgres;
    static WatchdogConfig.Postgres config;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        postgres = RealPostgres.start(Path.of("target", "it", "leadership-pg"));
        config = new WatchdogConfig.Postgres(postgres.url(), RealPostgres.USER, new Secret(RealPostgres.PASSWORD), SHARDS, 2,
                LEASE);
        PostgresStore.open(vertx, config, "schema", Clock.systemUTC()).await().close().await();
    }

    @AfterAll
    static void stop() {
        postgres.stop();
        vertx.close().await();
    }

    /** The shards the second replica should take from the first: those it wins, within its fair share. */
    static Set<Integer> wonBy(String second) {
        return Shards.owners(SHARDS, Set.of("first", second)).entrySet().stream().filter(e -> e.getValue().equals(second))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    @DisplayName("a shard with work under way is handed to a joining replica only once that work is done")
    void handsOverBetweenWork() {
        // A second replica that wins between one shard and a fair share, so that it should take all it wins.
        String second = IntStream.range(0, 100).mapToObj(i -> "second-" + i)
                .filter(n -> !wonBy(n).isEmpty() && wonBy(n).size() <= Shards.fairShare(SHARDS, 2)).findFirst().orElseThrow();
        Set<Integer> won = wonBy(second);
        int busy = won.iterator().next();

        PostgresLeadership first = new PostgresLeadership(vertx, config, "first", LEASE, led -> {});
        PostgresLeadership other = new PostgresLeadership(vertx, config, second, LEASE, led -> {});
        try {
            first.start().await();
            Poll.until(Duration.ofSeconds(10), "the first replica to lead every shard", () -> first.led().size() == SHARDS);
            Leadership.Fence fence = first.led().get(busy);
            Promise<String> work = Promise.promise();
            Future<String> underWay = first.during(fence, work::future);

            other.start().await();
            Set<Integer> rest = new TreeSet<>(won);
            rest.remove(busy);
            Poll.until(Duration.ofSeconds(10), "the second replica to take the shards it wins but the busy one",
                    () -> other.led().keySet().equals(rest));
            Instant until = Instant.now().plus(LEASE.multipliedBy(2));
            Poll.until(LEASE.multipliedBy(4), "two leases to pass", () -> Instant.now().isAfter(until));
            assertEquals(fence, first.led().get(busy), "the busy shard stays with the first replica while its work is under way");
            assertFalse(other.led().containsKey(busy));
            assertEquals("ticked", first.ticking(fence, () -> Future.succeededFuture("ticked")).await(),
                    "with an effect under way, the shard is still ticked");

            work.complete("done");
            assertEquals("done", underWay.await());
            Poll.until(Duration.ofSeconds(10), "the second replica to take the busy shard once its work is done",
                    () -> other.led().keySet().equals(won));
            assertFalse(first.led().containsKey(busy));
            assertTrue(other.led().get(busy).epoch() > fence.epoch(), "taken under a newer epoch");

            Future<String> late = first.during(fence, () -> Future.succeededFuture("acted"));
            assertInstanceOf(FencedException.class, late.cause(), "no work starts on a shard handed over");
        } finally {
            other.stop().await();
            first.stop().await();
        }
    }

    @Test
    @DisplayName("a shard whose ticks follow one another without a break is still handed over: no new tick starts once it is due")
    void handsOverBetweenTicks() {
        String second = IntStream.range(0, 100).mapToObj(i -> "second-" + i)
                .filter(n -> !wonBy(n).isEmpty() && wonBy(n).size() <= Shards.fairShare(SHARDS, 2)).findFirst().orElseThrow();
        Set<Integer> won = wonBy(second);
        int busy = won.iterator().next();

        PostgresLeadership first = new PostgresLeadership(vertx, config, "first", LEASE, led -> {});
        PostgresLeadership other = new PostgresLeadership(vertx, config, second, LEASE, led -> {});
        try {
            first.start().await();
            Poll.until(Duration.ofSeconds(10), "the first replica to lead every shard", () -> first.led().size() == SHARDS);
            Leadership.Fence fence = first.led().get(busy);
            Promise<String> tick = Promise.promise();
            Future<String> underWay = first.ticking(fence, tick::future);

            other.start().await();
            Instant until = Instant.now().plus(LEASE.multipliedBy(2));
            Poll.until(LEASE.multipliedBy(4), "two leases to pass", () -> Instant.now().isAfter(until));
            assertEquals(fence, first.led().get(busy), "the tick under way keeps the shard");
            assertInstanceOf(FencedException.class, first.ticking(fence, () -> Future.succeededFuture("again")).cause(),
                    "no new tick starts on a shard due to be handed over");

            tick.complete("ticked");
            assertEquals("ticked", underWay.await());
            Poll.until(Duration.ofSeconds(10), "the second replica to take the shard once the tick is done",
                    () -> other.led().keySet().equals(won));
        } finally {
            other.stop().await();
            first.stop().await();
        }
    }
}
