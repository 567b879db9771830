package dev.watchdog.store;

/**
 * The store could not be used (the database is down, or refused the statement): in our words,
 * since a driver's message may name the database's address and user.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }
}
