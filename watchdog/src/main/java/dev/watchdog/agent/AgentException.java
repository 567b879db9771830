package dev.watchdog.agent;

import org.jspecify.annotations.Nullable;

/** A refusal with the HTTP status it is answered with and, for bad input, the field at fault. */
final class AgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final @Nullable String field;

    AgentException(int status, String message, @Nullable String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    /** 401: the call is not proven to come from the watchdog. */
    static AgentException unauthenticated(String message) {
        return new AgentException(401, message, null);
    }

    /** 400: the body is not a rollback call. */
    static AgentException badInput(@Nullable String field, String message) {
        return new AgentException(400, message, field);
    }

    /** 422: a well-formed call this agent cannot act on (no action matches, a value unsafe for an argument). */
    static AgentException cannotAct(@Nullable String field, String message) {
        return new AgentException(422, message, field);
    }

    int status() {
        return status;
    }

    @Nullable String field() {
        return field;
    }
}
