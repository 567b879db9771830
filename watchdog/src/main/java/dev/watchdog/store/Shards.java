package dev.watchdog.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * How shards are spread over replicas: rendezvous hashing with bounded loads. Every (shard, replica)
 * pair has a score; going from the highest score down, a shard goes to the replica of the pair unless
 * it already has one or that replica has its fair share. Plain rendezvous hashing (each shard to its
 * highest score) leaves few shards badly spread: 12 shards over the replicas r1, r2 and r3 gave r2
 * eleven and r3 none. Bounded, no replica is owed more than its fair share. The same on every replica
 * with the same view. Pure.
 */
final class Shards {

    private Shards() {}

    /** The live replica that should lead each of {@code shards} shards, by shard. */
    static Map<Integer, String> owners(int shards, Set<String> live) {
        record Pair(int shard, String replica, long score) {}
        List<Pair> pairs = new ArrayList<>(shards * live.size());
        for (int shard = 0; shard < shards; shard++) {
            for (String replica : live) {
                pairs.add(new Pair(shard, replica, score(replica, shard)));
            }
        }
        pairs.sort(Comparator.comparingLong(Pair::score).thenComparing(Pair::replica).thenComparingInt(Pair::shard)
                .reversed());
        int fair = fairShare(shards, live.size());
        Map<Integer, String> owners = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        for (Pair p : pairs) {
            if (!owners.containsKey(p.shard()) && counts.getOrDefault(p.replica(), 0) < fair) {
                owners.put(p.shard(), p.replica());
                counts.merge(p.replica(), 1, Integer::sum);
            }
        }
        return owners;
    }

    /** The most shards a replica should hold when {@code replicas} are live. */
    static int fairShare(int shards, int replicas) {
        return (shards + replicas - 1) / replicas;
    }

    private static long score(String replica, int shard) {
        return UUID.nameUUIDFromBytes((replica + "/" + shard).getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }
}
