package dev.watchdog.store;

import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Step;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.Event;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

import org.jspecify.annotations.Nullable;

/**
 * Where every release's state, timeline and outbox are kept. A change is one transaction: the
 * release as it stands is read (under its lock where replicas share the store), stepped, and
 * written back with its events and the effects it calls for, all or nothing.
 */
public interface Store {

    /** A pure step: what an input does to a release as it stands now (null before it exists). */
    @FunctionalInterface
    interface Stepper {
        Step step(@Nullable Watch current, Input input);
    }

    /** One input for one release. */
    record Command(String releaseId, Input input) {}

    /** A command as it was applied: the release before, the step, and what was stored with it. */
    record Applied(Command command, @Nullable Watch before, Step step, List<Event> events, List<OutboxEntry> effects) {

        /** The release after the step (as before, if it was refused). */
        public @Nullable Watch after() {
            return step instanceof Step.Moved m ? m.watch() : before;
        }
    }

    /**
     * Applies the commands in order, all in one transaction; a refused one changes nothing. With a
     * fence (a leader's tick), the transaction fails with {@link FencedException} unless the fence's
     * epoch still leads its shard; without one (a person's decision), any replica may apply it.
     */
    Future<List<Applied>> apply(List<Command> commands, Stepper stepper, Leadership.@Nullable Fence fence);

    /** As {@link #apply(List, Stepper, Leadership.Fence)}, unfenced. */
    default Future<List<Applied>> apply(List<Command> commands, Stepper stepper) {
        return apply(commands, stepper, null);
    }

    /**
     * Registers a release ({@code register} is its Register input) after superseding the watched
     * releases of the same service and environment ({@code supersede}), in one transaction.
     */
    Future<List<Applied>> register(Release release, Input register, Input supersede, Stepper stepper);

    Future<Optional<Watch>> watch(String id);

    /** Every release the watchdog still has work for ({@link Watch#held}), by id. */
    Future<List<Watch>> held();

    /**
     * The held releases of the shards in {@code led}, by id, as their leader knows them: what its
     * ticks step. {@code shardOf}: a release's shard.
     */
    default Future<List<Watch>> led(Map<Integer, Leadership.Fence> led, ToIntFunction<String> shardOf) {
        return held().map(all -> all.stream().filter(w -> led.containsKey(shardOf.applyAsInt(w.id()))).toList());
    }

    /** How many releases are held, by state: the same on every replica, whichever leads them. */
    default Future<Map<String, Long>> heldByState() {
        return held().map(all -> {
            Map<String, Long> out = new TreeMap<>();
            all.forEach(w -> out.merge(w.release().state().label(), 1L, Long::sum));
            return out;
        });
    }

    /** Releases, newest first, those that pass {@code filter}. */
    Future<List<Watch>> list(Filter filter, int limit);

    /** Which releases a list holds: each field null for any. */
    record Filter(Release.@Nullable State state, @Nullable String service, @Nullable String environment) {
        public static final Filter ALL = new Filter(null, null, null);
    }

    Future<List<Event>> events(String releaseId);

    /** Every effect of a release and what became of it. */
    Future<List<OutboxEntry>> outbox(String releaseId);

    /** Effects stored but not yet performed: after a restart, or stored by another replica. */
    Future<List<OutboxEntry>> pending();

    /**
     * Claims a pending effect for performing under a leader's fence: false if it is no longer
     * pending (answered meanwhile) or the fence's epoch no longer leads, and then it must not be
     * performed.
     */
    Future<Boolean> claim(String effectId, Leadership.Fence fence);

    /** Succeeds when the store can be used now: readiness. */
    Future<Void> ping();

    /** A release's incidents, oldest first. */
    Future<List<Incident>> incidents(String releaseId);

    /** Release rows written since the store was opened (a tick that changes nothing writes none). */
    default long releasesWritten() {
        return 0;
    }

    /** "sqlite" or "postgres". */
    String kind();

    Future<Void> close();
}
