package dev.watchdog.core;

import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/** A secret value from the config: never printed, serialized or logged as itself. */
public record Secret(String value) {

    public static final String MASK = "<secret>";

    public Secret {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
    }

    /** Compares in constant time, so that response timing does not reveal how much of a guess matched. */
    public boolean matches(@Nullable String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(value), sha256(candidate));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @JsonValue
    @Override
    public String toString() {
        return MASK;
    }
}
