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

    /** The release as it stands, for a step (locked where that applies). */
    Optional<Watch> current(Connection c, String id) throws SQLException {
        return rows.watch(c, id, true);
    }

    /** What a committed change did; a store that keeps releases in memory updates them here. */
    void committed(List<Applied> applied) {
    }

    @Override
    public Future<List<Applied>> apply(List<Command> commands, Stepper stepper, Leadership.@Nullable Fence fence) {
        return transaction(c -> {
            if (fence != null) {
                rows.fence(c, fence);
            }
            return applyIn(c, commands, stepper);
        }, this::committed);
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
        }, this::committed);
    }

    private List<Applied> applyIn(Connection c, List<Command> commands, Stepper stepper) throws SQLException {
        Map<String, Watch> changed = new HashMap<>();
        List<Applied> applied = new ArrayList<>();
        for (Command command : commands) {
            String id = command.releaseId();
            Watch before = changed.containsKey(id) ? changed.get(id) : current(c, id).orElse(null);
            Step step = stepper.step(before, command.input());
            if (step instanceof Step.Moved m && changes(before, m)) {
                Rows.Written written = rows.write(c, before, m, clock.instant());
                changed.put(id, m.watch());
                applied.add(new Applied(command, before, step, written.events(), written.effects()));
            } else {
                applied.add(new Applied(command, before, step, List.of(), List.of()));
            }
        }
        return applied;
    }

    private static boolean changes(@Nullable Watch before, Step.Moved m) {
        return !m.watch().equals(before) || !m.events().isEmpty() || !m.effects().isEmpty() || !m.settled().isEmpty();
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
