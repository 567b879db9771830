package dev.watchdog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rendezvous hashing of shards over replicas: stable, spread, and only the lost replica's shards move. */
class ShardsTest {

    static Map<Integer, String> owners(int shards, Set<String> live) {
        return IntStream.range(0, shards).boxed().collect(Collectors.toMap(s -> s, s -> Shards.owner(s, live)));
    }

    @Test
    @DisplayName("every replica with the same view gives the same owner; 64 shards over 3 replicas all get some")
    void stableAndSpread() {
        Set<String> live = Set.of("r1", "r2", "r3");
        assertEquals(owners(64, live), owners(64, Set.of("r3", "r1", "r2")));
        Map<String, Long> count = owners(64, live).values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
        assertEquals(3, count.size());
        count.values().forEach(n -> assertTrue(n >= 10, "spread: " + count));
    }

    @Test
    @DisplayName("when a replica leaves, only its shards move, and they go to the others")
    void onlyTheLostMove() {
        Map<Integer, String> before = owners(64, Set.of("r1", "r2", "r3"));
        Map<Integer, String> after = owners(64, Set.of("r1", "r3"));
        Map<Integer, String> moved = new HashMap<>();
        before.forEach((shard, owner) -> {
            if (!owner.equals(after.get(shard))) {
                moved.put(shard, owner);
            }
        });
        assertTrue(moved.values().stream().allMatch("r2"::equals), "only r2's shards moved: " + moved);
        assertEquals(before.values().stream().filter("r2"::equals).count(), moved.size());
    }

    @Test
    @DisplayName("a fair share is the shards divided by the live replicas, rounded up")
    void fairShare() {
        assertEquals(1, Shards.fairShare(1, 3));
        assertEquals(3, Shards.fairShare(8, 3));
        assertEquals(4, Shards.fairShare(8, 2));
        assertEquals(8, Shards.fairShare(8, 1));
    }
}
