package dev.watchdog.release;

import org.jspecify.annotations.Nullable;

/** A request about releases that cannot be carried out; the kind says which HTTP status it is. */
public final class ReleaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why it cannot be done. */
    public enum Kind { BAD_INPUT, NOT_FOUND, CONFLICT }

    private final Kind kind;
    private final @Nullable String field;

    public ReleaseException(Kind kind, String message, @Nullable String field) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    public static ReleaseException badInput(String field, String message) {
        return new ReleaseException(Kind.BAD_INPUT, message, field);
    }

    public static ReleaseException notFound(String id) {
        return new ReleaseException(Kind.NOT_FOUND, "no release " + id, null);
    }

    public static ReleaseException conflict(String message) {
        return new ReleaseException(Kind.CONFLICT, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public @Nullable String field() {
        return field;
    }
}
