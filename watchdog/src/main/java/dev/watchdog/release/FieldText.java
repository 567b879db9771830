package dev.watchdog.release;

import org.jspecify.annotations.Nullable;

/**
 * What a text value sent by a person or a script may hold, and how to quote a bad one back. Values
 * end up in PromQL, in messages to people and on the on-call page, so characters a reader cannot
 * see (controls, bidi overrides, zero-width characters) are refused rather than kept.
 */
public final class FieldText {

    private static final int EXCERPT = 40;

    private FieldText() {}

    /** Why a one-line value is refused, or null: blank, spaces at either end, hidden characters, too long. */
    public static @Nullable String problem(String value, int maxLength) {
        if (value.codePoints().allMatch(FieldText::space)) {
            return "must not be blank";
        }
        if (space(value.codePointAt(0)) || space(value.codePointBefore(value.length()))) {
            return "must not begin or end with whitespace";
        }
        String hidden = hidden(value, false);
        return hidden != null ? hidden : tooLong(value, maxLength);
    }

    /** Why free text (a reason) is refused, or null: blank, hidden characters (newline and tab are fine), too long. */
    public static @Nullable String freeTextProblem(String value, int maxLength) {
        if (value.codePoints().allMatch(FieldText::space)) {
            return "must not be blank (leave it out to give none)";
        }
        String hidden = hidden(value, true);
        return hidden != null ? hidden : tooLong(value, maxLength);
    }

    /**
     * A short, printable excerpt of a bad value, safe to put in an error message: at most 40
     * characters, every character a reader could not see written as {@code \}{@code uXXXX}.
     */
    public static String excerpt(String value) {
        StringBuilder out = new StringBuilder();
        int[] points = value.codePoints().limit(EXCERPT + 1L).toArray();
        for (int i = 0; i < Math.min(points.length, EXCERPT); i++) {
            int c = points[i];
            boolean visible = describe(c) == null && (c == ' ' || !space(c));
            out.append(visible ? new String(Character.toChars(c)) : String.format("\\u%04X", c));
        }
        return points.length > EXCERPT ? out + "…" : out.toString();
    }

    private static @Nullable String hidden(String value, boolean multiline) {
        for (int i = 0, n = 1; i < value.length(); i += Character.charCount(value.codePointAt(i)), n++) {
            int c = value.codePointAt(i);
            String what = multiline && (c == '\n' || c == '\t') ? null : describe(c);
            if (what != null) {
                return String.format("contains %s at character %d (U+%04X)", what, n, c);
            }
        }
        return null;
    }

    /** What a character is if a reader could not see it, or null for a visible one. */
    private static @Nullable String describe(int c) {
        if (c == 0xFFFD) {
            return "the replacement character, a sign of text damaged before it was sent,";
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL -> "a control character";
            case Character.FORMAT -> bidi(c) ? "an invisible bidirectional-text control" : "an invisible formatting character";
            case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line or paragraph separator";
            case Character.SURROGATE -> "an unpaired surrogate, from a broken \\u escape,";
            default -> null;
        };
    }

    private static boolean bidi(int c) {
        return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C;
    }

    private static boolean space(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static @Nullable String tooLong(String value, int maxLength) {
        int length = value.codePointCount(0, value.length());
        return length > maxLength ? "must be at most " + maxLength + " characters (it has " + length + ")" : null;
    }
}
