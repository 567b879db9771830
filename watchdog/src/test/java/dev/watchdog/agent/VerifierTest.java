package dev.watchdog.agent;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.core.Secret;
import dev.watchdog.http.Signature;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VerifierTest {

    static final Secret SECRET = new Secret("whsec_c2VjcmV0LXJvbGxiYWNr");
    static final Instant NOW = Instant.parse("2026-11-21T10:04:15Z");
    static final byte[] BODY = "{\"type\":\"rollback\"}".getBytes(StandardCharsets.UTF_8);

    final Verifier verifier = new Verifier(SECRET, Duration.ofMinutes(5));

    String sign(Secret secret, long ts) {
        return Signature.sign(secret, "rel_1:rollback", ts, BODY);
    }

    String refusal(String id, String ts, String sig, byte[] body) {
        AgentException e = assertThrows(AgentException.class, () -> verifier.verify(id, ts, sig, body, NOW));
        assertEquals(401, e.status());
        return e.getMessage();
    }

    @Test
    @DisplayName("the watchdog's own signature passes, also at the edge of the allowed age either way")
    void accepts() {
        long now = NOW.getEpochSecond();
        for (long ts : new long[] {now, now - 300, now + 300}) {
            assertDoesNotThrow(() -> verifier.verify("rel_1:rollback", String.valueOf(ts), sign(SECRET, ts), BODY, NOW));
        }
    }

    @Test
    @DisplayName("one matching signature among several passes (the secret is being rotated)")
    void rotation() {
        long ts = NOW.getEpochSecond();
        String both = sign(new Secret("the-old-secret"), ts) + " " + sign(SECRET, ts);
        assertDoesNotThrow(() -> verifier.verify("rel_1:rollback", String.valueOf(ts), both, BODY, NOW));
    }

    @Test
    @DisplayName("refused: another secret, a changed body, another id, stale, ahead, missing headers, a timestamp that is no number")
    void refuses() {
        long ts = NOW.getEpochSecond();
        String t = String.valueOf(ts);
        assertEquals("webhook-signature does not match", refusal("rel_1:rollback", t, sign(new Secret("other"), ts), BODY));
        assertEquals("webhook-signature does not match", refusal("rel_1:rollback", t, sign(SECRET, ts), "{}".getBytes()));
        assertEquals("webhook-signature does not match", refusal("rel_2:rollback", t, sign(SECRET, ts), BODY));
        assertTrue(refusal("rel_1:rollback", String.valueOf(ts - 301), sign(SECRET, ts - 301), BODY).contains("301s old"));
        assertTrue(refusal("rel_1:rollback", String.valueOf(ts + 301), sign(SECRET, ts + 301), BODY).contains("301s ahead"));
        assertTrue(refusal(null, t, sign(SECRET, ts), BODY).contains("required"));
        assertTrue(refusal("rel_1:rollback", t, null, BODY).contains("required"));
        assertTrue(refusal("rel_1:rollback", "yesterday", sign(SECRET, ts), BODY).contains("Unix seconds"));
    }

    @Test
    @DisplayName("a timestamp chosen to wrap the age check around (now + Long.MIN_VALUE) is refused, signature and all")
    void timestampThatWouldOverflow() {
        long wrapped = NOW.getEpochSecond() + Long.MIN_VALUE;
        assertTrue(refusal("rel_1:rollback", String.valueOf(wrapped), sign(SECRET, wrapped), BODY).contains("old"));
        long ahead = Long.MAX_VALUE;
        assertTrue(refusal("rel_1:rollback", String.valueOf(ahead), sign(SECRET, ahead), BODY).contains("ahead"));
    }
}
