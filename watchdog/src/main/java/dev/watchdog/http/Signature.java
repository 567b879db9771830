package dev.watchdog.http;

import dev.watchdog.core.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,} + base64 HMAC-SHA256 of {@code id.timestamp.body}. A
 * secret written {@code whsec_<base64>} is used as the bytes it encodes, as the specification has it;
 * any other secret as its UTF-8 bytes.
 */
public final class Signature {

    private Signature() {}

    public static String sign(Secret secret, String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] key(Secret secret) {
        String value = secret.value();
        if (value.startsWith("whsec_")) {
            try {
                return Base64.getDecoder().decode(value.substring("whsec_".length()));
            } catch (IllegalArgumentException notBase64) {
                // fall through: use the text as it stands
            }
        }
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
