package dev.watchdog.store;

import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Step;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.Event;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The store over JDBC: each change is one transaction that reads the releases it steps (locked
 * where the database is shared), steps them with the pure machine, and writes them back with their
 * events and effects. How connections and transactions are had is the subclass's.
 */
abstract class JdbcStore implements Store {

    /** Work done with a connection, inside a transaction or a read. */
    @FunctionalInterface
    interface Work<T> {
        @Nullable T run(Connection c) throws SQLException;
    }

    protected final Rows rows;
    private final Clock clock;

    JdbcStore(Rows rows, Clock clock) {
        this.rows = rows;
        this.clock = clock;
    }

    /**
     * Runs {@code work} in one transaction, off the event loop; commits, or rolls back on failure.
     * {@code committed} sees the result once the commit has returned, before any other transaction.
     */
    abstract <T> Future<T> transaction(Work<T> work, Consumer<T> committed);

    /** Runs a read off the event loop. */
    abstract <T> Future<T> read(Work<T> work);

    /**
     * A release as a transaction goes on from: its watch (null before it exists), the version of its
     * row that watch was read at (0 where versions are not kept), and whether the row is locked.
     */
    record Current(@Nullable Watch watch, long version, boolean locked) {}

    /** The release as it stands, for a step: read under its lock where replicas share the store. */
    Current current(Connection c, String id) throws SQLException {
        return rows.current(c, id);
    }

    /** What one transaction did: each command's outcome, and each release as it left it. */
    record Done(List<Applied> applied, Map<String, Current> latest) {}

    /** A change committed: a store that keeps releases in memory updates them here. */
    void committed(Done done, Leadership.@Nullable Fence fence) {
    }

    @Override
    public Future<List<Applied>> apply(List<Command> commands, Stepper stepper, Leadership.@Nullable Fence fence) {
        return transaction(c -> {
            if (fence != null) {
                rows.fence(c, fence);
            }
            return applyIn(c, commands, stepper);
        }, done -> committed(done, fence)).map(Done::applied);
    }

    @Override
    public Future<List<Applied>> register(Release release, Input register, Input supersede, Stepper stepper) {
        return transaction(c -> {
            List<Command> commands = new ArrayList<>();
            for (String older : rows.watchedIds(c, release.service(), release.environment())) {
                commands.add(new Command(older, supersede));
            }
            commands.add(new Command(release.id(), register));
            return applyIn(c, commands, stepper);
        }, done -> committed(done, null)).map(Done::applied);
    }

    /**
     * Steps each command from the release as it stands; writes the release only when what must be
     * durable changed ({@link Durable}), or the step adds events or effects. A write from a version
     * read without its lock that finds the row changed since (a person's decision on another replica)
     * is done again from the row as it is now, under its lock.
     */
    private Done applyIn(Connection c, List<Command> commands, Stepper stepper) throws SQLException {
        Map<String, Current> latest = new HashMap<>();
        List<Applied> applied = new ArrayList<>();
        for (Command command : commands) {
            String id = command.releaseId();
            Current before = latest.containsKey(id) ? latest.get(id) : current(c, id);
            Applied a = step(c, command, before, stepper, latest);
            if (a == null) {
                before = rows.current(c, id);
                a = step(c, command, before, stepper, latest);
            }
            applied.add(a);
        }
        return new Done(applied, latest);
    }

    /** One command; null if its write found the row changed since it was read (then read it locked). */
    private @Nullable Applied step(Connection c, Command command, Current before, Stepper stepper,
                                   Map<String, Current> latest) throws SQLException {
        Step step = stepper.step(before.watch(), command.input());
        if (!(step instanceof Step.Moved m)) {
            return new Applied(command, before.watch(), step, List.of(), List.of());
        }
        if (!writes(before.watch(), m)) {
            latest.put(command.releaseId(), new Current(m.watch(), before.version(), before.locked()));
            return new Applied(command, before.watch(), step, List.of(), List.of());
        }
        Rows.Written written = rows.write(c, before, m, clock.instant());
        if (written == null) {
            return null;
        }
        latest.put(command.releaseId(), new Current(m.watch(), written.version(), true));
        return new Applied(command, before.watch(), step, written.events(), written.effects());
    }

    private static boolean writes(@Nullable Watch before, Step.Moved m) {
        return !Durable.same(before, m.watch()) || !m.events().isEmpty() || !m.effects().isEmpty()
                || !m.settled().isEmpty();
    }

    /** Release rows written since the store was opened: a tick that changes nothing writes none. */
    @Override
    public long releasesWritten() {
        return rows.releasesWritten();
    }

    @Override
    public Future<Optional<Watch>> watch(String id) {
        return read(c -> rows.watch(c, id, false));
    }

    @Override
    public Future<List<Watch>> held() {
        return read(rows::held);
    }

    @Override
    public Future<List<Watch>> list(Filter filter, int limit) {
        return read(c -> rows.list(c, filter, limit));
    }

    @Override
    public Future<List<Event>> events(String releaseId) {
        return read(c -> rows.events(c, releaseId));
    }

    @Override
    public Future<List<OutboxEntry>> outbox(String releaseId) {
        return read(c -> rows.outbox(c, releaseId));
    }

    @Override
    public Future<List<OutboxEntry>> pending() {
        return read(rows::pending);
    }

    @Override
    public Future<Boolean> claim(String effectId, Leadership.Fence fence) {
        return transaction(c -> rows.claim(c, effectId, fence), x -> { });
    }

    @Override
    public Future<Void> ping() {
        return read(c -> {
            rows.ping(c);
            return null;
        });
    }

    @Override
    public Future<List<Incident>> incidents(String releaseId) {
        return read(c -> rows.incidents(c, releaseId));
    }
}
