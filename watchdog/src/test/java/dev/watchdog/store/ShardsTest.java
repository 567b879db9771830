package dev.watchdog.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rendezvous hashing of shards over replicas with bounded loads: the same everywhere, spread, each within its fair share. */
class ShardsTest {

    static Map<String, Long> counts(Map<Integer, String> owners) {
        return owners.values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
    }

    @Test
    @DisplayName("every replica with the same view gives the same owners; 12 shards over r1, r2 and r3 go four to each")
    void stableAndSpread() {
        Map<Integer, String> owners = Shards.owners(12, Set.of("r1", "r2", "r3"));
        assertEquals(owners, Shards.owners(12, new TreeSet<>(Set.of("r3", "r1", "r2"))));
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), owners.keySet());
        // Plain rendezvous hashing gave r2 eleven of these twelve and r3 none.
        assertEquals(Map.of("r1", 4L, "r2", 4L, "r3", 4L), counts(owners));
    }

    @Test
    @DisplayName("for 1 to 64 shards over 1 to 7 replicas, every shard has an owner and none has more than its fair share")
    void withinFairShare() {
        for (int replicas = 1; replicas <= 7; replicas++) {
            Set<String> live = IntStream.rangeClosed(1, replicas).mapToObj(i -> "watchdog-" + i).collect(Collectors.toSet());
            for (int shards = 1; shards <= 64; shards++) {
                Map<Integer, String> owners = Shards.owners(shards, live);
                assertEquals(shards, owners.size());
                int fair = Shards.fairShare(shards, replicas);
                Map<String, Long> counts = counts(owners);
                assertTrue(counts.values().stream().allMatch(n -> n <= fair), shards + " over " + live + ": " + counts);
            }
        }
    }

    @Test
    @DisplayName("when a replica leaves, its shards go to the others, and most of the others' stay where they are")
    void theLostMove() {
        Map<Integer, String> before = Shards.owners(64, Set.of("r1", "r2", "r3"));
        Map<Integer, String> after = Shards.owners(64, Set.of("r1", "r3"));
        Map<Integer, String> moved = new HashMap<>();
        before.forEach((shard, owner) -> {
            if (!owner.equals(after.get(shard))) {
                moved.put(shard, owner);
            }
        });
        long lost = before.values().stream().filter("r2"::equals).count();
        assertEquals(lost, moved.values().stream().filter("r2"::equals).count(), "every shard of r2 moved: " + moved);
        assertTrue(moved.size() - lost <= lost / 4, "of the others' shards, few move: " + moved);
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
