package dev.watchdog.api;

import org.jspecify.annotations.Nullable;

/** An HTTP error with the status and, for bad input, the field at fault. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final @Nullable String field;

    ApiException(int status, String message, @Nullable String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    static ApiException badInput(@Nullable String field, String message) {
        return new ApiException(400, message, field);
    }

    int status() {
        return status;
    }

    @Nullable String field() {
        return field;
    }
}
