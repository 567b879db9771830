package dev.watchdog.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The checks config records make of their values, each failing with a message that names the key. */
public final class Checks {

    private Checks() {}

    /** An absolute http(s) URL, without a trailing slash; the URL itself is never repeated (it may carry a token). */
    public static String url(@Nullable String url, String name) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a valid URL", e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(name + " must be an absolute http(s) URL");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public static Duration positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    public static int atLeastOne(int n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
        return n;
    }
}
