package dev.watchdog.store;

import dev.watchdog.Json;
import dev.watchdog.evaluation.RuleState;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notification;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so that a write that has
 * returned survives {@code kill -9} and power loss. JDBC runs on an ordered worker (and under a lock, since one
 * connection serves every caller), never on an event loop.
 */
public final class SqliteStore implements Store {

    private static final String[] SCHEMA = {
        "create table if not exists releases (id text primary key, service text not null, environment text not null,"
                + " state text not null, started_at text not null, body text not null)",
        "create index if not exists releases_state on releases(state)",
        "create table if not exists rule_states (release_id text not null, rule text not null, body text not null,"
                + " primary key (release_id, rule))",
        "create table if not exists events (seq integer primary key autoincrement, release_id text not null,"
                + " body text not null)",
        "create index if not exists events_release on events(release_id, seq)",
        "create table if not exists incidents (id text primary key, release_id text not null, number integer not null,"
                + " status text not null, body text not null)",
        "create index if not exists incidents_release on incidents(release_id, number)",
        "create table if not exists notifications (key text primary key, release_id text not null, status text not null,"
                + " created_at text not null, body text not null)",
        "create index if not exists notifications_status on notifications(status)",
        "create index if not exists notifications_release on notifications(release_id, created_at)",
    };

    private final Vertx vertx;
    private final Connection db;

    private SqliteStore(Vertx vertx, Connection db) {
        this.vertx = vertx;
        this.db = db;
    }

    /** Opens (creating if needed) {@code watchdog.db} under {@code dir}. */
    public static Future<Store> open(Vertx vertx, Path dir) {
        return vertx.executeBlocking(() -> {
            Files.createDirectories(dir);
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("watchdog.db"));
            try (Statement st = db.createStatement()) {
                st.execute("pragma journal_mode=WAL");
                st.execute("pragma synchronous=FULL");
                st.execute("pragma busy_timeout=5000");
                for (String ddl : SCHEMA) {
                    st.execute(ddl);
                }
            }
            db.setAutoCommit(false);
            db.commit();
            return new SqliteStore(vertx, db);
        }, true);
    }

    @Override
    public Future<List<Event>> write(Change change) {
        return transaction(() -> {
            if (change.incident() != null) {
                writeIncident(change.incident());
            }
            for (Notification n : change.notifications()) {
                writeNotification(n, "insert or ignore");
            }
            return writeAll(change.release(), change.rules(), change.events());
        });
    }

    @Override
    public Future<Void> update(Notification notification, Event event) {
        return transaction(() -> {
            writeNotification(notification, "insert or replace");
            insertEvents(List.of(event));
            return null;
        });
    }

    private <T> Future<T> transaction(Callable<T> work) {
        return blocking(() -> {
            try {
                T result = work.call();
                db.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            }
        });
    }

    private void writeIncident(Incident incident) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("insert into incidents (id, release_id, number, status, body)"
                + " values (?,?,?,?,?) on conflict(id) do update set status = excluded.status, body = excluded.body")) {
            st.setString(1, incident.id());
            st.setString(2, incident.releaseId());
            st.setInt(3, incident.number());
            st.setString(4, incident.status().label());
            st.setString(5, Json.write(incident));
            st.executeUpdate();
        }
    }

    /** "insert or ignore" for new ones, so that a notice already stored is never queued twice. */
    private void writeNotification(Notification n, String verb) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(verb
                + " into notifications (key, release_id, status, created_at, body) values (?,?,?,?,?)")) {
            st.setString(1, n.key());
            st.setString(2, n.releaseId());
            st.setString(3, n.status().label());
            st.setString(4, n.createdAt().toString());
            st.setString(5, Json.write(n));
            st.executeUpdate();
        }
    }

    @Override
    public Future<Optional<Incident>> incident(String releaseId) {
        return query("select body from incidents where release_id = ? order by number desc limit 1", List.of(releaseId),
                Incident.class).map(list -> list.stream().findFirst());
    }

    @Override
    public Future<List<Notification>> pendingNotifications() {
        return query("select body from notifications where status = 'pending' order by created_at", List.of(),
                Notification.class);
    }

    @Override
    public Future<List<Notification>> notifications(String releaseId) {
        return query("select body from notifications where release_id = ? order by created_at, key", List.of(releaseId),
                Notification.class);
    }

    private List<Event> writeAll(Release release, Collection<RuleState> rules, List<Event> events) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(
                "insert into releases (id, service, environment, state, started_at, body) values (?,?,?,?,?,?)"
                        + " on conflict(id) do update set state = excluded.state, body = excluded.body")) {
            st.setString(1, release.id());
            st.setString(2, release.service());
            st.setString(3, release.environment());
            st.setString(4, release.state().label());
            st.setString(5, release.startedAt().toString());
            st.setString(6, Json.write(release));
            st.executeUpdate();
        }
        try (PreparedStatement st = db.prepareStatement(
                "insert or replace into rule_states (release_id, rule, body) values (?,?,?)")) {
            for (RuleState rule : rules) {
                st.setString(1, release.id());
                st.setString(2, rule.rule());
                st.setString(3, Json.write(rule));
                st.executeUpdate();
            }
        }
        return insertEvents(events);
    }

    private List<Event> insertEvents(List<Event> events) throws SQLException {
        List<Event> saved = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement(
                "insert into events (release_id, body) values (?,?)", Statement.RETURN_GENERATED_KEYS)) {
            for (Event event : events) {
                st.setString(1, event.releaseId());
                st.setString(2, Json.write(event));
                st.executeUpdate();
                try (ResultSet keys = st.getGeneratedKeys()) {
                    keys.next();
                    saved.add(event.withSeq(keys.getLong(1)));
                }
            }
        }
        return saved;
    }

    @Override
    public Future<List<Release>> releases(Release.State state, int limit) {
        String where = state == null ? "" : " where state = ?";
        return query("select body from releases" + where + " order by started_at desc, id desc limit " + limit,
                state == null ? List.of() : List.of(state.label()), Release.class);
    }

    @Override
    public Future<Optional<Release>> release(String id) {
        return query("select body from releases where id = ?", List.of(id), Release.class)
                .map(list -> list.stream().findFirst());
    }

    @Override
    public Future<List<Release>> open() {
        return query("select body from releases where state in ('watching', 'degraded', 'rolling_back') order by id",
                List.of(), Release.class);
    }

    @Override
    public Future<Map<String, RuleState>> ruleStates(String releaseId) {
        return query("select body from rule_states where release_id = ? order by rule", List.of(releaseId), RuleState.class)
                .map(list -> {
                    Map<String, RuleState> out = new LinkedHashMap<>();
                    list.forEach(s -> out.put(s.rule(), s));
                    return out;
                });
    }

    @Override
    public Future<List<Event>> events(String releaseId) {
        return blocking(() -> {
            List<Event> out = new ArrayList<>();
            try (PreparedStatement st = db.prepareStatement(
                    "select seq, body from events where release_id = ? order by seq")) {
                st.setString(1, releaseId);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(Json.read(rs.getString(2), Event.class).withSeq(rs.getLong(1)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Future<Void> close() {
        return blocking(() -> {
            db.close();
            return null;
        });
    }

    private <T> Future<List<T>> query(String sql, List<String> params, Class<T> type) {
        return blocking(() -> {
            List<T> out = new ArrayList<>();
            try (PreparedStatement st = db.prepareStatement(sql)) {
                for (int i = 0; i < params.size(); i++) {
                    st.setString(i + 1, params.get(i));
                }
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(Json.read(rs.getString(1), type));
                    }
                }
            }
            return out;
        });
    }

    /** One ordered worker queue: statements never interleave, and the event loop never waits on disk. */
    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(() -> {
            synchronized (db) {
                return work.call();
            }
        }, true);
    }
}
