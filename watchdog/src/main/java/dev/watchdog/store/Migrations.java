package dev.watchdog.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.core.Json;
import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.judge.RuleState;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.RollbackRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The store's schema, versioned, and the steps that carry a store forward from any earlier
 * version. A store newer than this code is refused rather than guessed at.
 *
 * <p>Version 1 is the first schema (no version recorded): releases with their rollback inside, rule
 * states and notifications in tables of their own. Version 2 keeps each release with everything the
 * state machine reads in one row, and every effect in an outbox.
 */
final class Migrations {

    static final int CURRENT = 2;

    private static final String[] V1 = {
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
    };

    /** Version 2's tables beside releases, events and incidents, in SQL both databases take. */
    static final String[] OUTBOX = {
        "create table outbox (id text primary key, release_id text not null, kind text not null, status text not null,"
                + " attempts integer not null, error text, created_at text not null, updated_at text not null,"
                + " claim_epoch bigint, body text not null)",
        "create index outbox_status on outbox(status)",
        "create index outbox_release on outbox(release_id, created_at)",
        "create index releases_held on releases(held)",
        "create index releases_service on releases(service, environment)",
    };

    /** Version 2 in PostgreSQL, where there never was a version 1; with the tables replicas lead by. */
    private static final String[] V2_POSTGRES = {
        "create table releases (id text primary key, service text not null, environment text not null,"
                + " state text not null, held integer not null default 0, started_at text not null, body text not null)",
        "create index releases_state on releases(state)",
        "create table events (seq bigserial primary key, release_id text not null, body text not null)",
        "create index events_release on events(release_id, seq)",
        "create table incidents (id text primary key, release_id text not null, number integer not null,"
                + " status text not null, body text not null)",
        "create index incidents_release on incidents(release_id, number)",
        "create table leadership (shard integer primary key, epoch bigint not null, holder text not null,"
                + " pid integer not null, acquired_at timestamptz not null default now())",
        "create table replicas (name text primary key, pid integer not null, renewed_at timestamptz not null)",
    };

    /** Held while a replica migrates, so that replicas starting together do not migrate twice. */
    private static final long MIGRATION_LOCK = 0x57444F474D494752L;

    private Migrations() {}

    /** Brings a PostgreSQL store to the current version in one transaction, one replica at a time. */
    static void postgres(Connection c) throws SQLException {
        run(c, "select pg_advisory_xact_lock(" + MIGRATION_LOCK + ")",
                "create table if not exists schema_version (version integer not null)");
        int version;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select max(version) from schema_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        refuseNewer(version);
        if (version < 2) {
            run(c, V2_POSTGRES);
            run(c, OUTBOX);
            run(c, "insert into schema_version values (2)");
        }
        c.commit();
    }

    /** Brings an SQLite store to the current version, one step at a time, each in its own transaction. */
    static void sqlite(Connection c) throws SQLException {
        int version = sqliteVersion(c);
        refuseNewer(version);
        if (version < 1) {
            run(c, V1);
            c.commit();
        }
        if (version < 2) {
            toVersion2(c);
            c.commit();
        }
    }

    private static void refuseNewer(int version) {
        if (version > CURRENT) {
            throw new StoreException("the store was written by a newer watchdog (schema " + version + ", this one knows "
                    + CURRENT + "): refusing to touch it");
        }
    }

    private static int sqliteVersion(Connection c) throws SQLException {
        if (tableExists(c, "schema_version")) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select max(version) from schema_version")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
        return tableExists(c, "releases") ? 1 : 0;
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
            return rs.next();
        }
    }

    /**
     * Version 1 to 2: each release's rule states, latest incident, rollback and announcements move
     * into its row; notifications, and a rollback stored but never answered, move into the outbox,
     * so that they are sent after the upgrade as they would have been before it, with their keys.
     */
    private static void toVersion2(Connection c) throws SQLException {
        run(c, "alter table releases add column held integer not null default 0");
        run(c, OUTBOX);
        Rows rows = new Rows(false);
        for (String[] row : select(c, "select id, body from releases order by id")) {
            Watch w = watchOf(c, row[0], (ObjectNode) tree(row[1]));
            try (PreparedStatement st = c.prepareStatement("update releases set body = ?, held = ? where id = ?")) {
                st.setString(1, Json.write(w));
                st.setInt(2, w.held() ? 1 : 0);
                st.setString(3, w.id());
                st.executeUpdate();
            }
            RollbackRecord rb = w.rollback();
            if (w.release().state() == Release.State.ROLLING_BACK && rb != null && !rb.answered()) {
                Effect call = new Effect.CallRollback(rb.effectId(), w.id(), rb.key(), w.release().rollbackTarget(), rb.body());
                rows.insertOutbox(c, new OutboxEntry(call.id(), w.id(), call, OutboxEntry.Status.PENDING, 0, null,
                        rb.requestedAt(), rb.requestedAt()));
            }
        }
        for (String[] row : select(c, "select body from notifications order by created_at, key")) {
            rows.insertOutbox(c, outboxOf((ObjectNode) tree(row[0])));
        }
        run(c, "drop table rule_states", "drop table notifications",
                "create table schema_version (version integer not null)", "insert into schema_version values (2)");
    }

    private static Watch watchOf(Connection c, String id, ObjectNode body) throws SQLException {
        JsonNode rollback = body.remove("rollback");
        JsonNode announced = body.remove("announced");
        Release release = Json.MAPPER.convertValue(body, Release.class);
        Map<String, RuleState> rules = new LinkedHashMap<>();
        for (String[] row : select(c, "select body from rule_states where release_id = ? order by rule", id)) {
            RuleState s = Json.read(row[0], RuleState.class);
            rules.put(s.rule(), s);
        }
        List<String[]> incidents = select(c, "select body from incidents where release_id = ? order by number desc", id);
        Incident incident = incidents.isEmpty() ? null : Json.read(incidents.get(0)[0], Incident.class);
        List<String> keys = new ArrayList<>();
        if (announced != null) {
            announced.forEach(k -> keys.add(k.asText()));
        }
        return new Watch(release, rules, incident, rollbackOf(release, rollback), null, keys, null);
    }

    private static @Nullable RollbackRecord rollbackOf(Release release, @Nullable JsonNode old) {
        if (old == null || old.isNull()) {
            return null;
        }
        RollbackRecord.Reason reason = Json.MAPPER.convertValue(old.get("reason"), RollbackRecord.Reason.class);
        Instant requested = Instant.parse(old.get("requestedAt").asText());
        String by = old.get("triggeredBy").asText();
        JsonNode answered = old.get("answeredAt");
        return new RollbackRecord(old.get("key").asText(), reason, by, requested,
                answered == null || answered.isNull() ? null : Instant.parse(answered.asText()),
                old.hasNonNull("succeeded") ? old.get("succeeded").asBoolean() : null, old.path("attempts").asInt(),
                old.hasNonNull("lastError") ? old.get("lastError").asText() : null, 1,
                RollbackRecord.body(release, reason, by, requested));
    }

    private static OutboxEntry outboxOf(ObjectNode old) {
        Notification n = new Notification(old.get("key").asText(), old.get("releaseId").asText(),
                old.hasNonNull("incidentId") ? old.get("incidentId").asText() : null, old.get("receiver").asText(),
                Notice.Kind.valueOf(old.get("kind").asText().toUpperCase(java.util.Locale.ROOT)),
                Json.MAPPER.convertValue(old.get("message"), Message.class), Instant.parse(old.get("createdAt").asText()));
        return new OutboxEntry(n.key(), n.releaseId(), new Effect.Notify(n),
                OutboxEntry.Status.valueOf(old.get("status").asText().toUpperCase(java.util.Locale.ROOT)),
                old.path("attempts").asInt(), old.hasNonNull("error") ? old.get("error").asText() : null, n.createdAt(),
                Instant.parse(old.get("updatedAt").asText()));
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String[]> select(Connection c, String sql, String... params) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setString(i + 1, params[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    String[] row = new String[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    static void run(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
