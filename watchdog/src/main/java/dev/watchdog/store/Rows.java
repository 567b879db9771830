package dev.watchdog.store;

import dev.watchdog.core.Json;
import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Step;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The store's rows, read and written over JDBC in SQL that SQLite and PostgreSQL both speak. Each
 * table holds JSON bodies beside the columns that are queried.
 */
final class Rows {

    /** The first half of the registration lock's key, "WREG"; shards use "WDOG", so the two never meet. */
    private static final int REGISTRATION_LOCK = 0x57524547;

    private final boolean shared;

    /**
     * {@code shared}: several replicas share the database, so a release is read {@code for update}
     * and a leader's writes and claims are checked against its epoch in the leadership table.
     */
    Rows(boolean shared) {
        this.shared = shared;
    }

    /** Fails the transaction unless the fence's epoch still leads its shard; holds that row until commit. */
    void fence(Connection c, Leadership.Fence fence) throws SQLException {
        if (!shared) {
            return;
        }
        try (PreparedStatement st = c.prepareStatement("select epoch from leadership where shard = ? for share")) {
            st.setInt(1, fence.shard());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next() || rs.getLong(1) != fence.epoch()) {
                    throw new FencedException(fence);
                }
            }
        }
    }

    void ping(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select 1"); ResultSet rs = st.executeQuery()) {
            rs.next();
        }
    }

    Optional<Watch> watch(Connection c, String id, boolean forUpdate) throws SQLException {
        String lock = forUpdate && shared ? " for update" : "";
        return one(c, "select body from releases where id = ?" + lock, id).map(body -> Json.read(body, Watch.class));
    }

    /** The ids of the watched releases of a service and environment, locked for the transaction. */
    /**
     * The watched releases of a service and environment. Where replicas share the database, a
     * registration first takes a transaction lock on the pair: {@code for update} alone does not see a
     * row another transaction is inserting, so two registrations at once on two replicas would each
     * find nothing to supersede and both be watched. SQLite writes one transaction at a time.
     */
    List<String> watchedIds(Connection c, String service, String environment) throws SQLException {
        if (shared) {
            try (PreparedStatement st = c.prepareStatement("select pg_advisory_xact_lock(?, hashtext(?))")) {
                st.setInt(1, REGISTRATION_LOCK);
                st.setString(2, service + "\n" + environment);
                st.execute();
            }
        }
        List<String> ids = new ArrayList<>();
        String lock = shared ? " for update" : "";
        try (PreparedStatement st = c.prepareStatement("select id from releases where service = ? and environment = ?"
                + " and state in ('watching', 'degraded') order by id" + lock)) {
            st.setString(1, service);
            st.setString(2, environment);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** Writes a step: the release, its incident if it changed, its events, new effects and answered ones. */
    Written write(Connection c, @Nullable Watch before, Step.Moved step, Instant now) throws SQLException {
        Watch w = step.watch();
        if (!w.equals(before)) {
            upsertRelease(c, w);
        }
        if (w.incident() != null && (before == null || !Objects.equals(before.incident(), w.incident()))) {
            upsertIncident(c, w.incident());
        }
        List<OutboxEntry> added = new ArrayList<>();
        for (Effect effect : step.effects()) {
            OutboxEntry entry = new OutboxEntry(effect.id(), w.id(), effect, OutboxEntry.Status.PENDING, 0, null, now, now);
            if (insertOutbox(c, entry)) {
                added.add(entry);
            }
        }
        for (Step.Settled s : step.settled()) {
            settle(c, s, now);
        }
        return new Written(insertEvents(c, step.events()), added);
    }

    /** What a step added: its events with their seq, and the effects not already in the outbox. */
    record Written(List<Event> events, List<OutboxEntry> effects) {}

    private void upsertRelease(Connection c, Watch w) throws SQLException {
        Release r = w.release();
        try (PreparedStatement st = c.prepareStatement(
                "insert into releases (id, service, environment, state, held, started_at, body) values (?,?,?,?,?,?,?)"
                        + " on conflict (id) do update set state = excluded.state, held = excluded.held,"
                        + " body = excluded.body")) {
            st.setString(1, r.id());
            st.setString(2, r.service());
            st.setString(3, r.environment());
            st.setString(4, r.state().label());
            st.setInt(5, w.held() ? 1 : 0);
            st.setString(6, r.startedAt().toString());
            st.setString(7, Json.write(w));
            st.executeUpdate();
        }
    }

    void upsertIncident(Connection c, Incident incident) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into incidents (id, release_id, number, status, body)"
                + " values (?,?,?,?,?) on conflict (id) do update set status = excluded.status, body = excluded.body")) {
            st.setString(1, incident.id());
            st.setString(2, incident.releaseId());
            st.setInt(3, incident.number());
            st.setString(4, incident.status().label());
            st.setString(5, Json.write(incident));
            st.executeUpdate();
        }
    }

    /** An effect already stored (the same notice twice) is not queued again. */
    boolean insertOutbox(Connection c, OutboxEntry e) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into outbox (id, release_id, kind, status, attempts, error,"
                + " created_at, updated_at, body) values (?,?,?,?,?,?,?,?,?) on conflict (id) do nothing")) {
            st.setString(1, e.id());
            st.setString(2, e.releaseId());
            st.setString(3, e.effect().kind());
            st.setString(4, e.status().label());
            st.setInt(5, e.attempts());
            st.setString(6, e.error());
            st.setString(7, e.createdAt().toString());
            st.setString(8, e.updatedAt().toString());
            st.setString(9, Json.write(e.effect()));
            return st.executeUpdate() == 1;
        }
    }

    /** Marks a pending effect as claimed under a fence; false if it is no longer pending, or the fence no longer leads. */
    boolean claim(Connection c, String effectId, Leadership.Fence fence) throws SQLException {
        String leads = shared ? " and exists (select 1 from leadership where shard = ? and epoch = ?)" : "";
        try (PreparedStatement st = c.prepareStatement(
                "update outbox set claim_epoch = ? where id = ? and status = 'pending'" + leads)) {
            st.setLong(1, fence.epoch());
            st.setString(2, effectId);
            if (shared) {
                st.setInt(3, fence.shard());
                st.setLong(4, fence.epoch());
            }
            return st.executeUpdate() == 1;
        }
    }

    private void settle(Connection c, Step.Settled s, Instant now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "update outbox set status = ?, attempts = ?, error = ?, updated_at = ? where id = ?")) {
            st.setString(1, s.answer().status().label());
            st.setInt(2, s.answer().attempts());
            st.setString(3, s.answer().error());
            st.setString(4, now.toString());
            st.setString(5, s.effect());
            st.executeUpdate();
        }
    }

    List<Event> insertEvents(Connection c, List<Event> events) throws SQLException {
        List<Event> saved = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("insert into events (release_id, body) values (?,?) returning seq")) {
            for (Event event : events) {
                st.setString(1, event.releaseId());
                st.setString(2, Json.write(event));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    saved.add(event.withSeq(rs.getLong(1)));
                }
            }
        }
        return saved;
    }

    List<Watch> held(Connection c) throws SQLException {
        return bodies(c, "select body from releases where held = 1 order by id", List.of(), Watch.class);
    }

    List<Watch> list(Connection c, Store.Filter filter, int limit) throws SQLException {
        List<String> where = new ArrayList<>();
        List<String> args = new ArrayList<>();
        equal(where, args, "state", filter.state() == null ? null : filter.state().label());
        equal(where, args, "service", filter.service());
        equal(where, args, "environment", filter.environment());
        return bodies(c, "select body from releases" + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " order by started_at desc, id desc limit " + limit, args, Watch.class);
    }

    private static void equal(List<String> where, List<String> args, String column, @Nullable String value) {
        if (value != null) {
            where.add(column + " = ?");
            args.add(value);
        }
    }

    List<Event> events(Connection c, String releaseId) throws SQLException {
        List<Event> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("select seq, body from events where release_id = ? order by seq")) {
            st.setString(1, releaseId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.read(rs.getString(2), Event.class).withSeq(rs.getLong(1)));
                }
            }
        }
        return out;
    }

    List<OutboxEntry> outbox(Connection c, String releaseId) throws SQLException {
        return entries(c, "where release_id = ? order by created_at, id", List.of(releaseId));
    }

    List<OutboxEntry> pending(Connection c) throws SQLException {
        return entries(c, "where status = 'pending' order by created_at, id", List.of());
    }

    List<Incident> incidents(Connection c, String releaseId) throws SQLException {
        return bodies(c, "select body from incidents where release_id = ? order by number", List.of(releaseId),
                Incident.class);
    }

    private List<OutboxEntry> entries(Connection c, String where, List<String> params) throws SQLException {
        List<OutboxEntry> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("select id, release_id, status, attempts, error, created_at,"
                + " updated_at, body from outbox " + where)) {
            bind(st, params);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new OutboxEntry(rs.getString(1), rs.getString(2), Json.read(rs.getString(8), Effect.class),
                            status(rs.getString(3)), rs.getInt(4), rs.getString(5), Instant.parse(rs.getString(6)),
                            Instant.parse(rs.getString(7))));
                }
            }
        }
        return out;
    }

    private static OutboxEntry.Status status(String label) {
        return OutboxEntry.Status.valueOf(label.toUpperCase(java.util.Locale.ROOT));
    }

    private static Optional<String> one(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, param);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    static <T> List<T> bodies(Connection c, String sql, List<String> params, Class<T> type) throws SQLException {
        List<T> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            bind(st, params);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.read(rs.getString(1), type));
                }
            }
        }
        return out;
    }

    private static void bind(PreparedStatement st, List<String> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            st.setString(i + 1, params.get(i));
        }
    }
}
