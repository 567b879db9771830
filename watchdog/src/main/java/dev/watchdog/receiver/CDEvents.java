package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Ordered;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * CDEvents (spec v0.5) as CloudEvents over HTTP in binary mode: the CDEvent is the body
 * ({@code application/json}), its context repeated as {@code ce-} headers. A registration is
 * {@code service.deployed} (or {@code service.upgraded} when it names the version before it), a
 * rollback done {@code service.rolledback}, an incident {@code incident.detected} and
 * {@code incident.resolved}. Optional: source (the events' {@code source}; default the on-call
 * page's address), headers (e.g. Authorization, each a secret).
 */
public record CDEvents(String url, @Nullable String source, Map<String, Secret> headers) implements Channel {

    public static final String SPEC = "0.5.0";
    public static final String DEPLOYED = "dev.cdevents.service.deployed.0.3.0";
    public static final String UPGRADED = "dev.cdevents.service.upgraded.0.3.0";
    public static final String ROLLEDBACK = "dev.cdevents.service.rolledback.0.3.0";
    public static final String DETECTED = "dev.cdevents.incident.detected.0.3.0";
    public static final String RESOLVED = "dev.cdevents.incident.resolved.0.3.0";
    static final Set<Kind> DETECTS = EnumSet.of(Kind.OPENED, Kind.REOPENED, Kind.ROLLBACK_FAILED, Kind.NOT_RECOVERED);
    static final Set<Kind> RESOLVES = EnumSet.of(Kind.RESOLVED, Kind.ROLLED_BACK, Kind.ACCEPTED);

    public CDEvents {
        url = Checks.url(url, "cdevents.url");
        if (source != null && source.isBlank()) {
            throw new IllegalArgumentException("cdevents.source must not be blank");
        }
        headers = Ordered.kept(headers);
    }

    @Override
    public List<Secret> secrets() {
        return List.copyOf(headers.values());
    }

    @Override
    public String kind() {
        return "cdevents";
    }

    @Override
    public boolean takes(Kind kind, Incident.@Nullable Cause cause) {
        return kind == Kind.WATCHING || DETECTS.contains(kind) || RESOLVES.contains(kind);
    }

    /** Every event of a notice must be taken (a rollback is two: the service's and the incident's). */
    @Override
    public boolean needsEvery() {
        return true;
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        return events(n).stream().map(this::request).toList();
    }

    private Http.Request request(JsonObject event) {
        JsonObject context = event.getJsonObject("context");
        Map<String, String> ce = new LinkedHashMap<>();
        ce.put("ce-specversion", "1.0");
        ce.put("ce-id", context.getString("id"));
        ce.put("ce-source", context.getString("source"));
        ce.put("ce-type", context.getString("type"));
        ce.put("ce-time", context.getString("timestamp"));
        headers.forEach((name, value) -> ce.put(name, value.value()));
        return Http.Request.post(url, Buffer.buffer(event.encode()), TIMEOUT).headers(ce);
    }

    /** The CDEvents a notice is: none, one, or (a rollback done) the service's and the incident's. */
    List<JsonObject> events(Notification n) {
        Message m = n.message();
        List<JsonObject> out = new ArrayList<>();
        if (n.kind() == Kind.WATCHING) {
            out.add(event(n, m.previousVersion() == null ? DEPLOYED : UPGRADED, service(m, m.version())));
        }
        if (n.kind() == Kind.ROLLED_BACK) {
            out.add(event(n, ROLLEDBACK, service(m, m.previousVersion())));
        }
        if (DETECTS.contains(n.kind())) {
            out.add(event(n, DETECTED, incident(n)));
        }
        if (RESOLVES.contains(n.kind())) {
            out.add(event(n, RESOLVED, incident(n)));
        }
        return out;
    }

    private JsonObject event(Notification n, String type, JsonObject subject) {
        JsonObject context = new JsonObject().put("specversion", SPEC).put("id", id(n, type)).put("source", source(n))
                .put("type", type).put("timestamp", n.createdAt().toString());
        return new JsonObject().put("context", context).put("subject", subject);
    }

    /** The same on every attempt and after a restart: the notification's key and the event's type. */
    static String id(Notification n, String type) {
        return UUID.nameUUIDFromBytes((n.key() + " " + type).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private String source(Notification n) {
        if (source != null) {
            return source;
        }
        String link = n.message().link();
        return link == null ? "release-watchdog" : link.replaceFirst("/#.*$", "");
    }

    /** A service subject: its id the service, its environment, and the artifact now running. */
    private static JsonObject service(Message m, @Nullable String version) {
        JsonObject content = new JsonObject().put("environment", new JsonObject().put("id", m.environment()))
                .put("artifactId", artifact(m, version));
        return new JsonObject().put("id", m.service()).put("type", "service").put("content", content);
    }

    /** An incident subject: its id the incident's, its description the message's title. */
    private static JsonObject incident(Notification n) {
        Message m = n.message();
        JsonObject content = new JsonObject().put("description", m.title())
                .put("environment", new JsonObject().put("id", m.environment()))
                .put("service", new JsonObject().put("id", m.service())).put("artifactId", artifact(m, m.version()));
        return new JsonObject().put("id", n.incidentId()).put("type", "incident").put("content", content);
    }

    /**
     * The artifact as a package URL: the release's label {@code artifact_id} when it names the version
     * deployed, else {@code pkg:generic/SERVICE@VERSION}.
     */
    static String artifact(Message m, @Nullable String version) {
        String given = m.labels().get("artifact_id");
        if (given != null && version != null && version.equals(m.version())) {
            return given;
        }
        String name = "pkg:generic/" + encode(m.service());
        return version == null ? name : name + "@" + encode(version);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
