package dev.watchdog.testing;

import dev.watchdog.core.Secret;
import dev.watchdog.http.Signature;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A rollback call shaped and signed as the watchdog sends it, for tests of the rollback agent. */
public final class RollbackCall {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RollbackCall() {}

    /** What the agent answered. */
    public record Response(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    /** The contract's body for a P0 rollback of one release. */
    public static JsonObject body(String releaseId, String service, String version, String previous, String environment) {
        JsonObject release = new JsonObject().put("id", releaseId).put("service", service).put("version", version)
                .put("previousVersion", previous).put("environment", environment).put("labels", new JsonObject())
                .put("state", "rolling_back");
        return new JsonObject().put("type", "rollback").put("release", release)
                .put("reason", new JsonObject().put("rule", "error-rate").put("severity", "P0").put("value", 0.2)
                        .put("threshold", "> 0.05"))
                .put("triggeredBy", "watchdog").put("at", Instant.now().toString());
    }

    /** Signed now with {@code secret}, key {@code <release id>:rollback}. */
    public static Response send(String url, String secret, JsonObject body) {
        return send(url, secret, key(body), body, Instant.now().getEpochSecond());
    }

    public static Response send(String url, String secret, String key, JsonObject body, long timestamp) {
        return send(url, secret, key, body.encode(), timestamp, key);
    }

    /** Any text, signed under {@code key}; {@code idempotencyKey} as given (null: left out). */
    public static Response send(String url, String secret, String key, String text, long timestamp, String idempotencyKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (idempotencyKey != null) {
            headers.put("Idempotency-Key", idempotencyKey);
        }
        headers.put("webhook-id", key);
        headers.put("webhook-timestamp", String.valueOf(timestamp));
        headers.put("webhook-signature", Signature.sign(new Secret(secret), key, timestamp,
                text.getBytes(StandardCharsets.UTF_8)));
        return raw(url, headers, text);
    }

    public static String key(JsonObject body) {
        return body.getJsonObject("release").getString("id") + ":rollback";
    }

    /** Any headers and body, as they are. */
    public static Response raw(String url, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Response(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
