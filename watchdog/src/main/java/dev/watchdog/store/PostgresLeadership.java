package dev.watchdog.store;

import dev.watchdog.config.WatchdogConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership over PostgreSQL. Each shard is led by whoever holds its session advisory lock on a
 * dedicated connection; taking a shard bumps its epoch in the leadership table, which fences the old
 * leader's writes and claims. Shards are spread over the live replicas by rendezvous hashing with
 * bounded loads ({@link Shards}), and a leader keeps its shards while it lives: a replica that dies
 * loses its shards to the others, and a live one gives a shard up only while it holds more than its
 * fair share. Every quarter lease a replica renews its row; a leader that has gone silent for a lease
 * (frozen, or cut off with its connection still open) has its database session terminated, which
 * frees its locks. A replica that cannot reach the database, or has itself been silent for a lease
 * (it was paused), leads nothing until it has renewed.
 */
public final class PostgresLeadership implements Leadership {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLeadership.class);
    /** The first half of every shard's advisory lock key: "WDOG"; the second is the count and the shard ({@link ShardCount}). */
    private static final int LOCK_CLASS = ShardCount.LOCK_CLASS;

    private final Vertx vertx;
    private final WatchdogConfig.Postgres config;
    private final String replica;
    private final Duration lease;
    private final WorkerExecutor worker;
    private final Consumer<Map<Integer, Fence>> changed;
    /** Published for readers; {@link #held} is the worker's own, authoritative copy. */
    private volatile Map<Integer, Fence> led = Map.of();
    private volatile long renewedNanos;
    private final Map<Integer, Fence> held = new HashMap<>();
    /** How many pieces of work are under way on each shard; guarded by this. */
    private final Map<Integer, Integer> busy = new HashMap<>();
    /** How many of those are ticks; guarded by this. */
    private final Map<Integer, Integer> ticks = new HashMap<>();
    /** The shards due to be handed over that had work under way: no new tick starts on them; guarded by this. */
    private final Set<Integer> handing = new HashSet<>();
    private @Nullable Connection session;
    private Map<Integer, Fence> told = Map.of();
    private boolean failing;
    private long timer = -1;

    /** {@code changed} hears the shards led after each change: to tick and resume the outbox at once. */
    public PostgresLeadership(Vertx vertx, WatchdogConfig.Postgres config, String replica, Duration lease,
                              Consumer<Map<Integer, Fence>> changed) {
        this.vertx = vertx;
        this.config = config;
        this.replica = replica;
        this.lease = lease;
        this.changed = changed;
        this.worker = vertx.createSharedWorkerExecutor("watchdog-leadership-" + replica, 1);
        if (config.shards() > ShardCount.MAX) {
            throw new StoreException("storage.postgres.shards: at most " + ShardCount.MAX + ", not " + config.shards());
        }
    }

    @Override
    public Map<Integer, Fence> led() {
        // A replica that was paused for a lease does not know what it leads until it has renewed.
        return System.nanoTime() - renewedNanos < lease.toNanos() ? led : Map.of();
    }

    @Override
    public int shards() {
        return config.shards();
    }

    @Override
    public Future<Void> start() {
        long every = Math.max(250, lease.toMillis() / 4);
        timer = vertx.setPeriodic(0, every, t -> round());
        return Future.succeededFuture();
    }

    private void round() {
        worker.executeBlocking(this::renew, true).onComplete(ar -> {
            Map<Integer, Fence> now = ar.succeeded() ? ar.result() : Map.of();
            if (ar.failed() && !told.isEmpty()) {
                LOG.warn("leadership lost: its database session failed (the database is unreachable, or this replica was silent too long) replica={}", replica);
            } else if (ar.failed() && !failing) {
                LOG.warn("leadership cannot be renewed: its database session failed replica={}", replica);
            }
            failing = ar.failed();
            if (!now.equals(told)) {
                told = now;
                LOG.info("leadership replica={} shards={}", replica, now.keySet());
                changed.accept(now);
            }
        });
    }

    /** One round, on the dedicated session: renew, hand over, take over. */
    private Map<Integer, Fence> renew() throws SQLException {
        try {
            Connection c = session();
            Sessions.execute(c, "insert into replicas (name, pid, renewed_at) values (?, pg_backend_pid(), now())"
                    + " on conflict (name) do update set pid = excluded.pid, renewed_at = now()", replica);
            Set<String> live = live(c);
            // Who should lead each shard, by this round's view: for taking shards and for handing them over.
            Map<Integer, String> owners = Shards.owners(shards(), live);
            Map<Integer, Fence> mine = held;
            ShardCount.arbitrate(c);
            try {
                takeOrLose(c, mine, live, owners, ShardCount.otherLeads(c, shards(), replica, live));
            } finally {
                ShardCount.release(c);
            }
            handOverBeyondFairShare(c, mine, live, owners);
            led = Map.copyOf(mine);
            renewedNanos = System.nanoTime();
            return led;
        } catch (SQLException e) {
            held.clear();
            led = Map.of();
            closeSession();
            throw e;
        }
    }

    /**
     * Lets go of the shards taken over by another replica, and takes those that hash to this one and
     * nobody holds. While a replica leads under another shard count ({@code blocked}: a rolling restart
     * to a new count, or from a watchdog that did not keep counts), this one leads nothing.
     */
    private void takeOrLose(Connection c, Map<Integer, Fence> mine, Set<String> live, Map<Integer, String> owners,
                            boolean blocked) throws SQLException {
        if (blocked && !mine.isEmpty()) {
            LOG.warn("another replica leads under another shard count: letting go of shards={} replica={}", mine.keySet(),
                    replica);
        }
        boolean took = false;
        for (int shard = 0; shard < shards(); shard++) {
            if (mine.containsKey(shard) && (blocked || !stillOurs(c, mine.get(shard)))) {
                LOG.warn("shard taken over by another replica shard={} replica={}", shard, replica);
                unlock(c, shard);
                mine.remove(shard);
            } else if (!blocked && !mine.containsKey(shard) && replica.equals(owners.get(shard))) {
                Optional<Fence> f = take(c, shard, live);
                f.ifPresent(x -> {
                    LOG.info("took shard={} epoch={} replica={}", x.shard(), x.epoch(), replica);
                    mine.put(x.shard(), x);
                });
                took |= f.isPresent();
            }
        }
        if (took) {
            ShardCount.retireBeyond(c, shards());
        }
    }

    /**
     * Leadership is sticky: a leader keeps its shards while it is alive, so that a replica joining
     * does not move a shard needlessly. Only a replica holding more than its fair share hands over the
     * shards that hash to another, each at a moment when no work is under way on it (else at a later
     * round), so that the next leader never repeats a tick or an effect this one is in the middle of.
     */
    private void handOverBeyondFairShare(Connection c, Map<Integer, Fence> mine, Set<String> live,
                                         Map<Integer, String> owners) throws SQLException {
        int fair = Shards.fairShare(shards(), live.size());
        Set<Integer> due = new HashSet<>();
        for (Integer shard : List.copyOf(mine.keySet())) {
            String owner = owners.get(shard);
            if (mine.size() <= fair || replica.equals(owner)) {
                continue;
            }
            if (letGo(shard)) {
                LOG.info("handing shard={} over to replica={}: more than a fair share replica={}", shard, owner, replica);
                unlock(c, shard);
                mine.remove(shard);
            } else {
                due.add(shard);
            }
        }
        handing(due);
    }

    /**
     * The shards due to be handed over once the work under way on them ends. No new tick starts on
     * them meanwhile (but while an effect is under way): a leader whose ticks follow one another
     * without a break (a large fleet on a busy machine) would otherwise never find them idle, and keep
     * more than its fair share for good.
     */
    private synchronized void handing(Set<Integer> due) {
        handing.clear();
        handing.addAll(due);
    }

    /** Stops leading a shard if no work is under way on it: from now on, no work on it starts here. */
    private synchronized boolean letGo(int shard) {
        if (busy.containsKey(shard)) {
            return false;
        }
        handing.remove(shard);
        Map<Integer, Fence> rest = new HashMap<>(led);
        rest.remove(shard);
        led = Map.copyOf(rest);
        return true;
    }

    @Override
    public <T> Future<T> during(Fence fence, Supplier<Future<T>> work) {
        synchronized (this) {
            if (!fence.equals(led().get(fence.shard()))) {
                return Future.failedFuture(new FencedException(fence));
            }
            busy.merge(fence.shard(), 1, Integer::sum);
        }
        Future<T> done;
        try {
            done = work.get();
        } catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        return done.andThen(x -> {
            synchronized (this) {
                busy.computeIfPresent(fence.shard(), (k, n) -> n == 1 ? null : n - 1);
            }
        });
    }

    @Override
    public <T> Future<T> ticking(Fence fence, Supplier<Future<T>> work) {
        int shard = fence.shard();
        synchronized (this) {
            boolean effectUnderWay = busy.getOrDefault(shard, 0) > ticks.getOrDefault(shard, 0);
            if (handing.contains(shard) && !effectUnderWay) {
                return Future.failedFuture(new FencedException(fence));
            }
            ticks.merge(shard, 1, Integer::sum);
        }
        return during(fence, work).andThen(x -> {
            synchronized (this) {
                ticks.computeIfPresent(shard, (k, n) -> n == 1 ? null : n - 1);
            }
        });
    }

    /** Replicas whose session is alive and who renewed within the lease. */
    private Set<String> live(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select name from replicas r where renewed_at > now() - ?::interval"
                + " and exists (select 1 from pg_stat_activity a where a.pid = r.pid)")) {
            st.setString(1, lease.toMillis() + " milliseconds");
            try (ResultSet rs = st.executeQuery()) {
                Set<String> names = new HashSet<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                names.add(replica);
                return names;
            }
        }
    }

    /** Takes a shard: its lock, then a new epoch. If a silent leader still holds the lock, its session is ended. */
    private Optional<Fence> take(Connection c, int shard, Set<String> live) throws SQLException {
        if (!Sessions.bool(c, "select pg_try_advisory_lock(" + LOCK_CLASS + ", " + ShardCount.key(shards(), shard) + ")")) {
            endSilentHolder(c, shard, live);
            return Optional.empty();
        }
        try {
            return Optional.of(bumpEpoch(c, shard));
        } catch (SQLException e) {
            // The old leader's transaction still holds the row (lock_timeout): end its sessions, try again next round.
            unlock(c, shard);
            String holder = holder(c, shard);
            if (holder != null && !live.contains(holder)) {
                Sessions.endAll(c, holder);
            }
            return Optional.empty();
        }
    }

    private @Nullable String holder(Connection c, int shard) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select holder from leadership where shard = ?")) {
            st.setInt(1, shard);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private Fence bumpEpoch(Connection c, int shard) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into leadership (shard, epoch, holder, pid) values (?, 1, ?,"
                + " pg_backend_pid()) on conflict (shard) do update set epoch = leadership.epoch + 1,"
                + " holder = excluded.holder, pid = excluded.pid, acquired_at = now() returning epoch")) {
            st.setInt(1, shard);
            st.setString(2, replica);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Fence(shard, rs.getLong(1));
            }
        }
    }

    /**
     * The holder of a shard's lock is not among the live replicas: end every session it has (its
     * leadership session, which frees the lock, and its pool's, one of which may be stuck in a
     * transaction that holds the leadership row).
     */
    private void endSilentHolder(Connection c, int shard, Set<String> live) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select l.holder from leadership l join pg_locks k"
                + " on k.pid = l.pid and k.locktype = 'advisory' and k.classid = ? and k.objid = ? where l.shard = ?")) {
            st.setInt(1, LOCK_CLASS);
            st.setInt(2, ShardCount.key(shards(), shard));
            st.setInt(3, shard);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next() && !live.contains(rs.getString(1))) {
                    LOG.warn("ending the sessions of a silent leader: it holds shard={} but has not renewed holder={}",
                            shard, rs.getString(1));
                    Sessions.endAll(c, rs.getString(1));
                }
            }
        }
    }

    private boolean stillOurs(Connection c, Fence f) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select 1 from leadership where shard = ? and epoch = ? and holder = ?")) {
            st.setInt(1, f.shard());
            st.setLong(2, f.epoch());
            st.setString(3, replica);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void unlock(Connection c, int shard) throws SQLException {
        Sessions.bool(c, "select pg_advisory_unlock(" + LOCK_CLASS + ", " + ShardCount.key(shards(), shard) + ")");
    }

    private Connection session() throws SQLException {
        if (session == null || session.isClosed()) {
            session = Sessions.open(config, replica, lease);
        }
        return session;
    }

    private void closeSession() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (SQLException ignored) {
            // the session is gone either way; its locks with it
        }
        session = null;
    }

    @Override
    public Future<Void> stop() {
        vertx.cancelTimer(timer);
        led = Map.of();
        return worker.executeBlocking(() -> {
            held.clear();
            if (session != null && !session.isClosed()) {
                Sessions.execute(session, "delete from replicas where name = ?", replica);
            }
            closeSession();
            return null;
        }, true).transform(x -> worker.close());
    }
}
