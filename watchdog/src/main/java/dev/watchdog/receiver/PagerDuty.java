package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * PagerDuty's Events API v2: each incident is one alert, {@code dedup_key} the incident's id,
 * triggered when it opens (and again as it worsens), acknowledged and resolved as it is here; the
 * release's registration and its rollback are change events beside it. Severity: a P0 is
 * {@code critical}, a P1 {@code p1Severity}. Optional: url (default https://events.pagerduty.com),
 * p1Severity (error or warning; default error), webhookSecret (a v3 webhook subscription's secret:
 * its {@code incident.acknowledged} events, verified with it, acknowledge here too).
 */
public record PagerDuty(Secret routingKey, String url, String p1Severity, @Nullable Secret webhookSecret)
        implements Channel {

    /** PagerDuty cuts a summary at 1024 characters; we cut first, and say so. */
    static final int SUMMARY = 1024;
    static final Set<Kind> TRIGGERS = EnumSet.of(Kind.OPENED, Kind.UPGRADED, Kind.REOPENED, Kind.ROLLBACK_FAILED,
            Kind.NOT_RECOVERED, Kind.BLIND);
    static final Set<Kind> RESOLVES = EnumSet.of(Kind.RESOLVED, Kind.ROLLED_BACK, Kind.ACCEPTED, Kind.SEEING);
    static final Set<Kind> CHANGES = EnumSet.of(Kind.WATCHING, Kind.ROLLED_BACK);

    public PagerDuty {
        Objects.requireNonNull(routingKey, "pagerduty.routingKey is required");
        url = Checks.url(url == null ? "https://events.pagerduty.com" : url, "pagerduty.url");
        p1Severity = p1Severity == null ? "error" : p1Severity;
        if (!p1Severity.equals("error") && !p1Severity.equals("warning")) {
            throw new IllegalArgumentException("pagerduty.p1Severity must be error or warning");
        }
    }

    @Override
    public List<Secret> secrets() {
        return webhookSecret == null ? List.of(routingKey) : List.of(routingKey, webhookSecret);
    }

    @Override
    public String kind() {
        return "pagerduty";
    }

    @Override
    public boolean takes(Kind kind, Incident.@Nullable Cause cause) {
        return TRIGGERS.contains(kind) || RESOLVES.contains(kind) || CHANGES.contains(kind) || kind == Kind.ACKNOWLEDGED;
    }

    /** An alert event, then a change event where the notice is one (a rollback is both: resolved, and a change). */
    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        List<Http.Request> out = new ArrayList<>();
        String action = action(n.kind());
        if (action != null) {
            out.add(post("/v2/enqueue", alert(n, action)));
        }
        if (CHANGES.contains(n.kind())) {
            out.add(post("/v2/change/enqueue", change(n)));
        }
        return out;
    }

    /** Both events of a rollback must be taken: one is not a cluster member standing in for the other. */
    @Override
    public boolean needsEvery() {
        return true;
    }

    private Http.Request post(String path, JsonObject body) {
        return Http.Request.post(url + path, Buffer.buffer(body.encode()), TIMEOUT);
    }

    static @Nullable String action(Kind kind) {
        return TRIGGERS.contains(kind) ? "trigger" : RESOLVES.contains(kind) ? "resolve"
                : kind == Kind.ACKNOWLEDGED ? "acknowledge" : null;
    }

    /** One incident, one alert: its id; a watch gone blind is an alert of its release. */
    static String dedupKey(Notification n) {
        return n.kind() == Kind.BLIND || n.kind() == Kind.SEEING ? n.releaseId() + ":blind"
                : Objects.requireNonNull(n.incidentId(), "every other notice PagerDuty alerts on is an incident's");
    }

    JsonObject alert(Notification n, String action) {
        JsonObject event = new JsonObject().put("routing_key", routingKey.value()).put("event_action", action)
                .put("dedup_key", dedupKey(n));
        if (!action.equals("trigger")) {
            return event;
        }
        Message m = n.message();
        JsonObject payload = new JsonObject().put("summary", summary(m.title() + " [" + dedupKey(n) + "]"))
                .put("source", m.service() + " in " + m.environment()).put("severity", severity(m, n.kind()))
                .put("timestamp", n.createdAt().toString()).put("component", m.service()).put("group", m.environment())
                .put("custom_details", details(n));
        if (!m.rules().isEmpty()) {
            payload.put("class", String.join(", ", m.rules()));
        }
        return event.put("payload", payload).put("links", links(m)).put("client", "Release Watchdog")
                .put("client_url", m.link() == null ? url : m.link());
    }

    JsonObject change(Notification n) {
        Message m = n.message();
        String summary = n.kind() == Kind.WATCHING ? "Deployed " + m.service() + " " + m.version() + " to " + m.environment()
                : "Rolled back " + m.service() + " " + m.version() + " in " + m.environment();
        JsonObject payload = new JsonObject().put("summary", summary(summary)).put("timestamp", n.createdAt().toString())
                .put("source", "release-watchdog").put("custom_details", details(n));
        return new JsonObject().put("routing_key", routingKey.value()).put("payload", payload).put("links", links(m));
    }

    private String severity(Message m, Kind kind) {
        return kind == Kind.BLIND ? "warning" : "P0".equals(m.severity()) ? "critical" : p1Severity;
    }

    private static JsonObject details(Notification n) {
        Message m = n.message();
        JsonObject details = new JsonObject().put("release", m.releaseId()).put("service", m.service())
                .put("version", m.version()).put("environment", m.environment()).put("notice", n.kind().label())
                .put("lines", new JsonArray(m.lines()));
        if (n.incidentId() != null) {
            details.put("incident", n.incidentId());
        }
        m.labels().forEach((k, v) -> details.put("label_" + k, v));
        return details;
    }

    private static JsonArray links(Message m) {
        return m.link() == null ? new JsonArray()
                : new JsonArray().add(new JsonObject().put("href", m.link()).put("text", "The release on the on-call page"));
    }

    static String summary(String text) {
        return text.length() <= SUMMARY ? text : text.substring(0, SUMMARY - 12) + " [cut: more]";
    }
}
