package dev.watchdog.testing;

/**
 * A value of the right shape for each environment variable a config names, as a user would set it:
 * a URL for {@code *_URL}, a chat id for {@code *_CHAT}, {@code set-by-NAME} for the rest (tokens,
 * secrets, names), so that a test can tell which variable a value came from.
 */
public final class ExampleEnv {

    private ExampleEnv() {}

    public static String value(String name) {
        if (name.endsWith("_URL")) {
            return "https://hooks.example/" + name.toLowerCase(java.util.Locale.ROOT);
        }
        return name.endsWith("_CHAT") ? "-1001234567890" : "set-by-" + name;
    }
}
