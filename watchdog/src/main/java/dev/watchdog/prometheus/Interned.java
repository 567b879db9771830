package dev.watchdog.prometheus;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * A set of strings found by their characters as a parser holds them, without making a string: the
 * label values a tick's releases select. A fleet's answer holds a series per service, most of them
 * another replica's; their values are looked up here, and only a value found is kept, as this one
 * instance. Open addressing over a power-of-two table. Immutable once made.
 */
final class Interned {

    private final String[] table;

    private Interned(String[] table) {
        this.table = table;
    }

    static Interned of(Collection<String> values) {
        String[] table = new String[Integer.highestOneBit(Math.max(4, values.size() * 2)) * 2];
        for (String v : values) {
            int at = v.hashCode() & (table.length - 1);
            while (table[at] != null && !table[at].equals(v)) {
                at = (at + 1) & (table.length - 1);
            }
            table[at] = v;
        }
        return new Interned(table);
    }

    /** The string with these characters, or null if there is none. */
    @Nullable String find(char[] text, int offset, int length) {
        int hash = 0;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + text[offset + i];
        }
        for (int at = hash & (table.length - 1); table[at] != null; at = (at + 1) & (table.length - 1)) {
            if (same(table[at], text, offset, length)) {
                return table[at];
            }
        }
        return null;
    }

    private static boolean same(String s, char[] text, int offset, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != text[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
