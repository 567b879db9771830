package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Grafana's HTTP API: the release's milestones as organisation-wide annotations that dashboards find
 * by their tags ({@code watchdog}, the service, the environment, the release, the notice's kind),
 * with a service account token.
 */
public record Grafana(String url, Secret token) implements Channel {

    static final Set<Notice.Kind> ANNOTATED = EnumSet.of(Notice.Kind.WATCHING, Notice.Kind.OPENED,
            Notice.Kind.ACKNOWLEDGED, Notice.Kind.ROLLED_BACK, Notice.Kind.ROLLBACK_FAILED, Notice.Kind.ALL_CLEAR,
            Notice.Kind.UNJUDGED);

    public Grafana {
        url = Checks.url(url, "grafana.url");
        Objects.requireNonNull(token, "grafana.token is required");
    }

    @Override
    public List<Secret> secrets() {
        return List.of(token);
    }

    @Override
    public String kind() {
        return "grafana";
    }

    @Override
    public boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause) {
        return ANNOTATED.contains(kind);
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        return List.of(Http.Request.post(url + "/api/annotations", Buffer.buffer(annotation(n).encode()), TIMEOUT)
                .header("Authorization", "Bearer " + token.value()));
    }

    /** Grafana's {@code POST /api/annotations}. */
    public static JsonObject annotation(Notification n) {
        Message m = n.message();
        JsonArray tags = new JsonArray().add("watchdog").add(m.service()).add(m.environment()).add(m.releaseId())
                .add(n.kind().label());
        return new JsonObject().put("time", n.createdAt().toEpochMilli()).put("tags", tags).put("text", m.title());
    }
}
