package dev.watchdog.store;

import dev.watchdog.machine.Watch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so that a write that has
 * returned survives {@code kill -9} and power loss. One process owns the file, so the releases it
 * still holds are also kept in memory, updated as each change commits; every statement runs on one
 * ordered worker, never on an event loop.
 */
public final class SqliteStore extends JdbcStore {

    private final Vertx vertx;
    private final Connection db;
    private final Map<String, Watch> held = new ConcurrentHashMap<>();

    private SqliteStore(Vertx vertx, Connection db, Clock clock) {
        super(new Rows(false), clock);
        this.vertx = vertx;
        this.db = db;
    }

    /** Opens (creating or upgrading if needed) {@code watchdog.db} under {@code dir}. */
    public static Future<Store> open(Vertx vertx, Path dir, Clock clock) {
        return vertx.executeBlocking(() -> {
            Files.createDirectories(dir);
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("watchdog.db"));
            try (Statement st = db.createStatement()) {
                st.execute("pragma journal_mode=WAL");
                st.execute("pragma synchronous=FULL");
                st.execute("pragma busy_timeout=5000");
            }
            db.setAutoCommit(false);
            try {
                Migrations.sqlite(db);
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                db.close();
                throw e;
            }
            SqliteStore store = new SqliteStore(vertx, db, clock);
            store.rows.held(db).forEach(w -> store.held.put(w.id(), w));
            return store;
        }, true);
    }

    @Override
    <T> Future<T> transaction(Work<T> work, Consumer<T> committed) {
        return blocking(() -> {
            try {
                T result = work.run(db);
                db.commit();
                committed.accept(result);
                return result;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            }
        });
    }

    @Override
    <T> Future<T> read(Work<T> work) {
        return blocking(() -> work.run(db));
    }

    /** A held release as this process last stepped it (written or not: see {@link Durable}). */
    @Override
    Current current(Connection c, String id) throws SQLException {
        Watch w = held.get(id);
        return w != null ? new Current(w, 0, true) : super.current(c, id);
    }

    @Override
    void committed(Done done, Leadership.@Nullable Fence fence) {
        done.latest().forEach((id, current) -> {
            Watch w = current.watch();
            if (w != null && w.held()) {
                held.put(id, w);
            } else {
                held.remove(id);
            }
        });
    }

    @Override
    public Future<Optional<Watch>> watch(String id) {
        Watch w = held.get(id);
        return w != null ? Future.succeededFuture(Optional.of(w)) : super.watch(id);
    }

    @Override
    public Future<List<Watch>> held() {
        List<Watch> all = new ArrayList<>(held.values());
        all.sort(Comparator.comparing(Watch::id));
        return Future.succeededFuture(all);
    }

    @Override
    public String kind() {
        return "sqlite";
    }

    @Override
    public Future<Void> close() {
        return blocking(() -> {
            db.close();
            return null;
        });
    }

    /** One ordered worker queue: statements never interleave, and the event loop never waits on disk. */
    private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
        return vertx.executeBlocking(() -> {
            synchronized (db) {
                return work.call();
            }
        }, true);
    }
}
