package dev.watchdog.store;

import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Which shards of the releases this replica leads, each under an epoch. Only the leader of a shard
 * evaluates its releases and performs their effects, and everything it writes for that shard is
 * fenced by the epoch: once another replica has taken the shard over, a write or claim under the old
 * epoch fails, so a leader that paused and woke up cannot act on what the new one already did.
 */
public interface Leadership {

    /** A shard led under an epoch: what a leader's transactions and claims are checked against. */
    record Fence(int shard, long epoch) {}

    /** The shards led now, each with its fence; empty on a replica that leads nothing. */
    Map<Integer, Fence> led();

    /** How many shards the releases are hashed into. */
    int shards();

    /** The shard a release belongs to: a stable hash of its id. */
    default int shardOf(String releaseId) {
        return Math.floorMod(releaseId.hashCode(), shards());
    }

    /**
     * Whether shards move between replicas: then a shard just taken may have been judged by its last
     * leader moments before.
     */
    default boolean shared() {
        return true;
    }

    /** The fence under which this replica acts for a release, or null if it does not lead its shard. */
    default @Nullable Fence fenceFor(String releaseId) {
        return led().get(shardOf(releaseId));
    }

    /**
     * Runs {@code work} for a shard led under {@code fence} (a tick of its releases, an effect being
     * performed), and keeps the shard from being handed over to another replica until the work is
     * done, so that a move between live replicas never leaves the same work to two. Fails with
     * {@link FencedException} if the shard is no longer led under that fence.
     */
    default <T> Future<T> during(Fence fence, Supplier<Future<T>> work) {
        return fence.equals(led().get(fence.shard())) ? work.get() : Future.failedFuture(new FencedException(fence));
    }

    /**
     * A tick of a shard's releases, as {@link #during}; refused too (FencedException) once the shard
     * is due to be handed over and only ticks hold it, so that ticks following one another without a
     * break cannot keep it from its next leader. An effect under way keeps it ticking.
     */
    default <T> Future<T> ticking(Fence fence, Supplier<Future<T>> work) {
        return during(fence, work);
    }

    Future<Void> start();

    Future<Void> stop();

    /** The one replica of an embedded store: it always leads its one shard. */
    final class Solo implements Leadership {
        private static final Map<Integer, Fence> ALL = Map.of(0, new Fence(0, 1));

        @Override
        public Map<Integer, Fence> led() {
            return ALL;
        }

        @Override
        public int shards() {
            return 1;
        }

        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public Future<Void> start() {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> stop() {
            return Future.succeededFuture();
        }
    }
}
