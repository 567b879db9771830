package dev.watchdog.config;

/** The config cannot be used; the message names the file, the key's path and, where known, the line. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
