package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Json;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An outbound webhook: a receiver of every message as JSON, or a rollback target. Optional: secret
 * (signs with Standard Webhooks), timeout (10s), retry (a rollback target's; a receiver's retry is
 * its receiver's).
 */
public record Webhook(String url, @Nullable Secret secret, Duration timeout, Retry retry) implements Channel {

    public Webhook {
        url = Checks.url(url, "url");
        timeout = timeout == null ? TIMEOUT : Checks.positive(timeout, "timeout");
        retry = retry == null ? new Retry(null, null, null) : retry;
    }

    @Override
    public List<Secret> secrets() {
        return secret == null ? List.of() : List.of(secret);
    }

    @Override
    public String kind() {
        return "webhook";
    }

    @Override
    public boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause) {
        return true;
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        JsonObject body = new JsonObject().put("type", "notification").put("kind", n.kind().label()).put("key", n.key())
                .put("release", n.message().releaseId()).put("incident", n.incidentId())
                .put("message", new JsonObject(Json.write(n.message())));
        return List.of(Http.Request.post(url, Buffer.buffer(body.encode()), timeout));
    }

    @Override
    public @Nullable Secret signing() {
        return secret;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }
}
