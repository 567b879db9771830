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

    /**
     * {@code text} with this secret masked: the whole value, and each of its pieces of 8 characters
     * or more between {@code / : ? & =} and spaces (a peer may echo a URL's path, or a bot token
     * without its prefix).
     */
    public String mask(String text) {
        String masked = text.replace(value, MASK);
        for (String piece : value.split("[/:?&=\\s]+")) {
            if (piece.length() >= 8) {
                masked = masked.replace(piece, MASK);
            }
        }
        return masked;
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
