package dev.watchdog.agent;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Signature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;

/**
 * Checks a call's Standard Webhooks headers: the signature over {@code id.timestamp.body} with the
 * shared secret, and a timestamp no further than {@code maxAge} from now, in either direction (a
 * captured call cannot be replayed later, and a skewed clock is noticed). Pure.
 */
record Verifier(Secret secret, Duration maxAge) {

    /** Returns normally if the call is the watchdog's; throws a 401 saying what is wrong otherwise. */
    void verify(String id, String timestamp, String signatures, byte[] body, Instant now) {
        if (id == null || timestamp == null || signatures == null) {
            throw AgentException.unauthenticated("webhook-id, webhook-timestamp and webhook-signature are required");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw AgentException.unauthenticated("webhook-timestamp must be Unix seconds");
        }
        long skew = skew(now.getEpochSecond(), seconds);
        if (skew > maxAge.toSeconds() || skew < -maxAge.toSeconds()) {
            throw AgentException.unauthenticated("webhook-timestamp is " + Math.abs(skew) + "s "
                    + (skew > 0 ? "old" : "ahead") + "; at most " + Durations.format(maxAge) + " either way is accepted");
        }
        byte[] expected = Signature.sign(secret, id, seconds, body).getBytes(StandardCharsets.UTF_8);
        // The header may carry several signatures (secret rotation), space-delimited; one match suffices.
        boolean matched = false;
        for (String candidate : signatures.trim().split("\\s+")) {
            matched |= MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.UTF_8));
        }
        if (!matched) {
            throw AgentException.unauthenticated("webhook-signature does not match");
        }
    }

    /**
     * How far the timestamp is from now, saturated: the caller chooses the number, and a plain
     * subtraction can wrap to {@code Long.MIN_VALUE}, whose absolute value is negative and so "recent".
     */
    static long skew(long now, long seconds) {
        try {
            return Math.subtractExact(now, seconds);
        } catch (ArithmeticException e) {
            return seconds < now ? Long.MAX_VALUE : -Long.MAX_VALUE;
        }
    }
}
