package dev.watchdog.config;

import dev.watchdog.core.Checks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What one client may hold of a server (the API, the agent): a connection must bring a request's
 * headers within {@code headerTimeout} of opening (and then its body within as long again), and the
 * next request within {@code idleTimeout} of the last answer; at most {@code maxConnections} are
 * open at once, and one more is closed as it opens. A request being answered (a verdict awaited) is
 * never cut. Optional: headerTimeout (10s), idleTimeout (60s), maxConnections (1024).
 */
public record Limits(Duration headerTimeout, Duration idleTimeout, Integer maxConnections) {

    public static final Limits DEFAULT = new Limits(null, null, null);

    public Limits(@Nullable Duration headerTimeout, @Nullable Duration idleTimeout, @Nullable Integer maxConnections) {
        this.headerTimeout = headerTimeout == null ? Duration.ofSeconds(10) : Checks.positive(headerTimeout, "headerTimeout");
        this.idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : Checks.positive(idleTimeout, "idleTimeout");
        this.maxConnections = maxConnections == null ? 1024 : maxConnections;
        if (this.maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
    }
}
