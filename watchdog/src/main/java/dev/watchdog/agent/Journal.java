package dev.watchdog.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The idempotency journal: one row per {@code Idempotency-Key} the agent has acted on, one per step
 * it ran, in SQLite (WAL, synchronous=FULL), so that what was done survives {@code kill -9}. A run
 * or step still {@code running} when the journal is opened was cut short by a crash: it becomes
 * {@code interrupted}. Blocking: call it from a worker.
 */
public final class Journal implements AutoCloseable {

    /** Where a run or a step stands. */
    public enum Status {
        RUNNING, SUCCEEDED, FAILED, INTERRUPTED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /** One step of a run, as last recorded. */
    public record StepRecord(String name, Status status, @Nullable Integer exitCode, @Nullable String detail,
                             @Nullable Instant endedAt) {}

    /** One key's run: the action it matched, how often it was tried, and each step. */
    public record Entry(String key, Status status, String action, String releaseId, String service, String environment,
                 int attempts, Instant startedAt, @Nullable Instant endedAt, @Nullable String detail,
                 List<StepRecord> steps) {

        Optional<StepRecord> step(String name) {
            return steps.stream().filter(s -> s.name().equals(name)).findFirst();
        }
    }

    private static final String[] SCHEMA = {
        "create table if not exists runs (key text primary key, status text not null, action text not null,"
                + " release_id text not null, service text not null, environment text not null,"
                + " attempts integer not null, started_at text not null, ended_at text, detail text)",
        "create table if not exists steps (key text not null, name text not null, status text not null,"
                + " exit_code integer, detail text, ended_at text, primary key (key, name))",
    };

    private final Connection db;
    private final Clock clock;

    private Journal(Connection db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Opens (creating) the journal. {@code recover}: this is the agent starting, so whatever was
     * running when the last one died becomes interrupted (never from a tool beside a live agent).
     */
    public static Journal open(Path file, Clock clock, boolean recover) throws Exception {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement st = db.createStatement()) {
            st.execute("pragma journal_mode=WAL");
            st.execute("pragma synchronous=FULL");
            st.execute("pragma busy_timeout=5000");
            for (String ddl : SCHEMA) {
                st.execute(ddl);
            }
        }
        db.setAutoCommit(false);
        Journal journal = new Journal(db, clock);
        if (!recover) {
            return journal;
        }
        journal.transaction(() -> journal.write("update runs set status = 'interrupted',"
                + " detail = 'the agent stopped while this ran' where status = 'running'")
                + journal.write("update steps set status = 'interrupted' where status = 'running'"));
        return journal;
    }

    /** The run of {@code key}; else the newest run of the same release and action under another key. */
    synchronized Optional<Entry> find(String key, String releaseId, String action) throws SQLException {
        Optional<Entry> own = find(key);
        return own.isPresent() ? own : transaction(() -> {
            try (PreparedStatement st = db.prepareStatement("select * from runs where release_id = ? and action = ?"
                    + " order by rowid desc limit 1")) {
                st.setString(1, releaseId);
                st.setString(2, action);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(entry(rs)) : Optional.<Entry>empty();
                }
            }
        });
    }

    synchronized Optional<Entry> find(String key) throws SQLException {
        // Reads end their transaction too: a snapshot held open would hide what a tool wrote beside the agent.
        return transaction(() -> {
            try (PreparedStatement st = db.prepareStatement("select * from runs where key = ?")) {
                st.setString(1, key);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(entry(rs)) : Optional.<Entry>empty();
                }
            }
        });
    }

    /** The newest runs first (by their first attempt); {@code status} null for all. */
    public synchronized List<Entry> list(@Nullable Status status, int limit) throws SQLException {
        String where = status == null ? "" : " where status = '" + status.label() + "'";
        return transaction(() -> {
            try (PreparedStatement st = db.prepareStatement("select * from runs" + where + " order by rowid desc limit ?")) {
                st.setInt(1, limit);
                List<Entry> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
                return out;
            }
        });
    }

    /** A run starts (or starts again after a failure): written before its first step runs. */
    synchronized void begin(Call call, String action) throws SQLException {
        transaction(() -> write("insert into runs (key, status, action, release_id, service, environment, attempts, started_at)"
                + " values (?, 'running', ?, ?, ?, ?, 1, ?) on conflict (key) do update set status = 'running',"
                + " action = excluded.action, attempts = attempts + 1, started_at = excluded.started_at,"
                + " ended_at = null, detail = null", call.key(), action, call.releaseId(), call.service(),
                call.environment(), now()));
    }

    /** A step is about to run: if the agent dies now, the step is known to be interrupted. */
    synchronized void stepStarted(String key, String step) throws SQLException {
        transaction(() -> write("insert into steps (key, name, status) values (?, ?, 'running') on conflict (key, name)"
                + " do update set status = 'running', exit_code = null, detail = null, ended_at = null", key, step));
    }

    synchronized void stepEnded(String key, String step, Status status, @Nullable Integer exitCode,
                                @Nullable String detail) throws SQLException {
        transaction(() -> write("update steps set status = ?, exit_code = ?, detail = ?, ended_at = ? where key = ? and name = ?",
                status.label(), exitCode, detail, now(), key, step));
    }

    synchronized void ended(String key, Status status, @Nullable String detail) throws SQLException {
        transaction(() -> write("update runs set status = ?, ended_at = ?, detail = ? where key = ?",
                status.label(), now(), detail, key));
    }

    /**
     * An operator's word on an interrupted run, after checking the system by hand: its interrupted
     * step was done ({@code done}) or is to run again. Either way the run reads failed, so that the
     * next call goes on from there. Returns false if the key has no interrupted run.
     */
    public synchronized boolean resolve(String key, boolean done) throws SQLException {
        return transaction(() -> {
            int runs = write("update runs set status = 'failed', ended_at = ?, detail = ? where key = ?"
                    + " and status = 'interrupted'", now(), done ? "interrupted step marked done by an operator"
                    : "interrupted step marked to run again", key);
            write("update steps set status = ?, detail = ?, ended_at = ? where key = ? and status = 'interrupted'",
                    done ? "succeeded" : "failed", done ? "marked done by an operator" : "marked to run again", now(), key);
            return runs == 1;
        });
    }

    @Override
    public synchronized void close() throws SQLException {
        db.close();
    }

    private Entry entry(ResultSet rs) throws SQLException {
        String key = rs.getString("key");
        return new Entry(key, Status.of(rs.getString("status")), rs.getString("action"), rs.getString("release_id"),
                rs.getString("service"), rs.getString("environment"), rs.getInt("attempts"),
                Instant.parse(rs.getString("started_at")), instant(rs.getString("ended_at")), rs.getString("detail"),
                steps(key));
    }

    private List<StepRecord> steps(String key) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("select * from steps where key = ? order by rowid")) {
            st.setString(1, key);
            List<StepRecord> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    int code = rs.getInt("exit_code");
                    Integer exitCode = rs.wasNull() ? null : code;
                    out.add(new StepRecord(rs.getString("name"), Status.of(rs.getString("status")), exitCode,
                            rs.getString("detail"), instant(rs.getString("ended_at"))));
                }
            }
            return out;
        }
    }

    private int write(String sql, @Nullable Object... args) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            return st.executeUpdate();
        }
    }

    /** Work that is written whole or not at all. */
    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        try {
            T result = work.run();
            db.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        }
    }

    private String now() {
        return clock.instant().toString();
    }

    private static @Nullable Instant instant(@Nullable String text) {
        return text == null ? null : Instant.parse(text);
    }
}
