package dev.watchdog.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.watchdog.config.WatchdogConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.SQLException;
import dev.watchdog.machine.Watch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The store shared by several replicas: PostgreSQL through a small pool. Each change is one
 * transaction that reads the releases it steps {@code for update}, so that two replicas never apply
 * conflicting inputs to one release; a leader's transactions are fenced by its epoch. A transaction
 * that the database aborts for a deadlock or a serialization failure is tried again.
 */
public final class PostgresStore extends JdbcStore {

    /** SQLSTATEs worth trying again: serialization failure, deadlock. */
    private static final Set<String> RETRYABLE = Set.of("40001", "40P01");
    private static final int TRIES = 3;

    private final Vertx vertx;
    private final HikariDataSource pool;
    /**
     * The held releases of the shards this replica leads, each as this replica last stepped it (its
     * quiet rules' latest readings are not written: {@link Durable}), with the version of its row
     * that state goes on from and the epoch it was loaded under. A step goes on from here; its write
     * checks that the row is still that version, and a row changed since (a decision taken on another
     * replica) is read again under its lock and the step taken again.
     */
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    private record Known(Watch watch, long version, long epoch) {}

    private PostgresStore(Vertx vertx, HikariDataSource pool, Clock clock) {
        super(new Rows(true), clock);
        this.vertx = vertx;
        this.pool = pool;
    }

    /** Connects as {@code replica} (as pg_stat_activity names it), and creates or upgrades the schema (one replica at a time). */
    public static Future<Store> open(Vertx vertx, WatchdogConfig.Postgres config, String replica, Clock clock) {
        return vertx.executeBlocking(() -> {
            HikariDataSource pool;
            try {
                pool = new HikariDataSource(poolConfig(config, replica));
            } catch (RuntimeException e) {
                throw unavailable(e);
            }
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                Migrations.postgres(c);
            } catch (SQLException e) {
                pool.close();
                throw unavailable(e);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
            return new PostgresStore(vertx, pool, clock);
        }, false);
    }

    /** How this replica's pool sessions are named in pg_stat_activity, so that a successor can end them. */
    static String applicationName(String replica) {
        return "watchdog " + replica;
    }

    static HikariConfig poolConfig(WatchdogConfig.Postgres config, String replica) {
        HikariConfig hc = new HikariConfig();
        hc.addDataSourceProperty("ApplicationName", applicationName(replica));
        // A transaction left idle (its replica paused) must not hold rows for ever.
        hc.addDataSourceProperty("options", "-c idle_in_transaction_session_timeout=60000");
        hc.setJdbcUrl(config.url());
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password().value());
        }
        hc.setPoolName("watchdog-store");
        hc.setMaximumPoolSize(config.pool());
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setInitializationFailTimeout(5_000);
        return hc;
    }

    /**
     * The led shards' held releases: the row versions of all held releases are read (a small scan),
     * and only the releases this replica does not know at that version, or knows from an earlier epoch
     * of their shard, are read whole.
     */
    @Override
    public Future<List<Watch>> led(Map<Integer, Leadership.Fence> led, ToIntFunction<String> shardOf) {
        if (led.isEmpty()) {
            known.clear();
            return Future.succeededFuture(List.of());
        }
        return read(c -> {
            Set<String> ours = new HashSet<>();
            List<String> load = new ArrayList<>();
            rows.heldVersions(c).forEach((id, version) -> {
                Leadership.Fence fence = led.get(shardOf.applyAsInt(id));
                if (fence != null) {
                    ours.add(id);
                    Known k = known.get(id);
                    if (k == null || k.version() != version || k.epoch() != fence.epoch()) {
                        load.add(id);
                    }
                }
            });
            known.keySet().retainAll(ours);
            for (Rows.Versioned v : rows.versioned(c, load)) {
                Leadership.Fence fence = led.get(shardOf.applyAsInt(v.watch().id()));
                if (v.watch().held() && fence != null) {
                    known.put(v.watch().id(), new Known(v.watch(), v.version(), fence.epoch()));
                }
            }
            List<Watch> out = new ArrayList<>(ours.size());
            ours.stream().sorted().map(known::get).filter(Objects::nonNull).forEach(k -> out.add(k.watch()));
            return out;
        });
    }

    @Override
    public Future<Map<String, Long>> heldByState() {
        return read(rows::heldByState);
    }

    /** A release this replica knows goes on from there (its write checks the row's version); others are read locked. */
    @Override
    Current current(Connection c, String id) throws SQLException {
        Known k = known.get(id);
        return k != null ? new Current(k.watch(), k.version(), false) : super.current(c, id);
    }

    /** A leader's step is known from now on; a decision's updates what this replica already knew. */
    @Override
    void committed(Done done, Leadership.@Nullable Fence fence) {
        done.latest().forEach((id, current) -> {
            Watch w = current.watch();
            Known before = known.get(id);
            if (w == null || !w.held()) {
                known.remove(id);
            } else if (fence != null || before != null) {
                long epoch = fence != null ? fence.epoch() : Objects.requireNonNull(before).epoch();
                known.put(id, new Known(w, current.version(), epoch));
            }
        });
    }

    @Override
    <T> Future<T> transaction(Work<T> work, Consumer<T> committed) {
        return vertx.executeBlocking(() -> {
            for (int attempt = 1; ; attempt++) {
                try (Connection c = pool.getConnection()) {
                    c.setAutoCommit(false);
                    try {
                        T result = work.run(c);
                        c.commit();
                        committed.accept(result);
                        return result;
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                } catch (SQLException e) {
                    if (attempt >= TRIES || !RETRYABLE.contains(e.getSQLState())) {
                        throw unavailable(e);
                    }
                }
            }
        }, false);
    }

    @Override
    <T> Future<T> read(Work<T> work) {
        return vertx.executeBlocking(() -> {
            try (Connection c = pool.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }, false);
    }

    /** The driver's words may name the database's host and user: ours do not. */
    static StoreException unavailable(Exception e) {
        String state = e instanceof SQLException s && s.getSQLState() != null ? " (SQLSTATE " + s.getSQLState() + ")" : "";
        return new StoreException("the database is unavailable or refused the statement" + state);
    }

    @Override
    public String kind() {
        return "postgres";
    }

    @Override
    public Future<Void> close() {
        return vertx.executeBlocking(() -> {
            pool.close();
            return null;
        }, false);
    }
}
