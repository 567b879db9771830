package dev.watchdog.prometheus;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InternedTest {

    static char[] padded(String s) {
        return ("xx" + s + "yy").toCharArray();
    }

    @Test
    @DisplayName("a value is found by its characters inside a larger buffer, as its one instance; others are not")
    void findsByCharacters() {
        List<String> values = IntStream.range(0, 10_000).mapToObj(i -> "svc-" + i).toList();
        Interned known = Interned.of(values);
        for (String v : values) {
            assertSame(v, known.find(padded(v), 2, v.length()));
        }
        assertNull(known.find(padded("svc-10000"), 2, 9));
        assertNull(known.find(padded("svc-1"), 2, 4), "a prefix of a value");
        assertNull(known.find(padded(""), 2, 0));
        // "Aa" and "BB" have the same hash code.
        Interned colliding = Interned.of(List.of("Aa", ""));
        assertNull(colliding.find(padded("BB"), 2, 2));
        assertSame(colliding.find(padded("Aa"), 2, 2), colliding.find(padded("Aa"), 2, 2));
        assertSame("", colliding.find(padded(""), 2, 0));
    }
}
