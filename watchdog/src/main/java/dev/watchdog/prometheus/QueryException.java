package dev.watchdog.prometheus;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** A query that gave no usable answer. The kind keeps Prometheus's own errors apart from the network's. */
public final class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Prometheus answered with {@code status: error}; {@link #errorType()} says which. */
        API,
        /** No answer in time. */
        TIMEOUT,
        /** No connection, or it broke. */
        NETWORK,
        /** An answer that is not the Prometheus API's. */
        BAD_RESPONSE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Kind kind;
    private final @Nullable String errorType;
    private final boolean fromPrometheus;

    public QueryException(Kind kind, @Nullable String errorType, @Nullable String message) {
        this(kind, errorType, message, kind == Kind.API);
    }

    /** {@code fromPrometheus}: the answer was the Prometheus API's own, so Prometheus is up. */
    public QueryException(Kind kind, @Nullable String errorType, @Nullable String message, boolean fromPrometheus) {
        super(message);
        this.kind = kind;
        this.errorType = errorType;
        this.fromPrometheus = fromPrometheus;
    }

    /**
     * Whether Prometheus itself answered: its error, or a successful answer of the wrong shape. A
     * proxy's 502 page, a sign-in page, a timeout or a refused connection are not its answers.
     */
    public boolean fromPrometheus() {
        return fromPrometheus;
    }

    public Kind kind() {
        return kind;
    }

    /** Prometheus's {@code errorType} (bad_data, execution, timeout, canceled, internal) for API errors. */
    public @Nullable String errorType() {
        return errorType;
    }
}
