package dev.watchdog.store;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;

/**
 * How shards are spread over replicas, by rendezvous hashing: each shard goes to the live replica
 * with the highest score for it. The same on every replica with the same view, and when a replica
 * leaves, only its shards move. Pure.
 */
final class Shards {

    private Shards() {}

    /** The live replica that should lead {@code shard}. */
    static String owner(int shard, Set<String> live) {
        return live.stream().max(Comparator.comparingLong((String name) -> score(name, shard)).thenComparing(n -> n))
                .orElseThrow();
    }

    /** The most shards a replica should hold when {@code replicas} are live. */
    static int fairShare(int shards, int replicas) {
        return (shards + replicas - 1) / replicas;
    }

    private static long score(String replica, int shard) {
        return UUID.nameUUIDFromBytes((replica + "/" + shard).getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }
}
