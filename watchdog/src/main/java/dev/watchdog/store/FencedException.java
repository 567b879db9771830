package dev.watchdog.store;

/** A leader's write was refused: another replica has taken its shard over since (a newer epoch). */
public final class FencedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FencedException(Leadership.Fence fence) {
        super("no longer the leader of shard " + fence.shard() + " (epoch " + fence.epoch() + ")");
    }
}
