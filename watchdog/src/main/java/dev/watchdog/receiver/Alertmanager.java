package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Ordered;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One Alertmanager ({@code url}) or a cluster ({@code urls}: every alert is posted to each, as
 * Prometheus does; a success at any one counts). It takes alerts, not chatter: incidents, and a
 * watch gone blind. Optional: headers (e.g. Authorization, each a secret), resend (default 1m,
 * below Alertmanager's 5m resolve_timeout).
 */
public record Alertmanager(@Nullable String url, List<String> urls, Map<String, Secret> headers, Duration resend)
        implements Channel {

    private static final String ALERTNAME = "ReleaseWatchdogIncident";

    /** Spelled out: an omitted setting arrives as null and takes its default. */
    public Alertmanager(@Nullable String url, @Nullable List<String> urls, @Nullable Map<String, Secret> headers,
                        @Nullable Duration resend) {
        List<String> all = new ArrayList<>();
        if (url != null) {
            all.add(url);
        }
        if (urls != null) {
            all.addAll(urls);
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("alertmanager needs url or urls");
        }
        urls = all.stream().map(u -> Checks.url(u, "alertmanager.url")).distinct().toList();
        url = urls.get(0);
        headers = Ordered.kept(headers);
        resend = resend == null ? Duration.ofMinutes(1) : Checks.positive(resend, "resend");
        this.url = url;
        this.urls = urls;
        this.headers = headers;
        this.resend = resend;
    }

    public Alertmanager(String url, @Nullable Duration resend) {
        this(url, null, null, resend);
    }

    @Override
    public List<Secret> secrets() {
        return List.copyOf(headers.values());
    }

    @Override
    public String kind() {
        return "alertmanager";
    }

    @Override
    public boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause) {
        return kind.aboutIncident() || kind == Notice.Kind.BLIND || kind == Notice.Kind.SEEING;
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        Message m = n.message();
        Buffer body = Buffer.buffer(alerts(m, n.createdAt(), m.firing() ? null : n.createdAt()).encode());
        Map<String, String> plain = new java.util.LinkedHashMap<>();
        headers.forEach((name, value) -> plain.put(name, value.value()));
        return urls.stream().map(u -> Http.Request.post(u + "/api/v2/alerts", body, TIMEOUT).headers(plain)).toList();
    }

    @Override
    public Duration resend() {
        return resend;
    }

    /**
     * Alertmanager's {@code POST /api/v2/alerts}: one alert per rule, resolved with endsAt. Its labels
     * are the release's, then the rule's, then the watchdog's own (each set winning over the one
     * before); its annotations the message and the rule's own; its generatorURL the release on the
     * on-call page.
     */
    static JsonArray alerts(Message m, Instant startsAt, @Nullable Instant endsAt) {
        JsonArray alerts = new JsonArray();
        List<String> rules = m.rules().isEmpty() ? List.of("") : m.rules();
        for (String rule : rules) {
            Message.Note note = m.note(rule);
            JsonObject alert = new JsonObject().put("labels", labels(m, rule, note)).put("annotations", annotations(m, note))
                    .put("startsAt", startsAt.toString());
            if (m.link() != null) {
                alert.put("generatorURL", m.link());
            }
            if (endsAt != null) {
                alert.put("endsAt", endsAt.toString());
            }
            alerts.add(alert);
        }
        return alerts;
    }

    private static JsonObject labels(Message m, String rule, Message.@Nullable Note note) {
        JsonObject labels = new JsonObject();
        m.labels().forEach(labels::put);
        if (note != null) {
            note.labels().forEach(labels::put);
        }
        return labels.put("alertname", m.severity() == null ? "ReleaseWatchdogBlind" : ALERTNAME)
                .put("service", m.service()).put("environment", m.environment()).put("release", m.releaseId())
                .put("version", m.version()).put("rule", rule).put("severity", m.severity() == null ? "none" : m.severity());
    }

    private static JsonObject annotations(Message m, Message.@Nullable Note note) {
        JsonObject annotations = new JsonObject().put("summary", m.title()).put("description", String.join("\n", m.lines()));
        String runbook = note != null && note.runbookUrl() != null ? note.runbookUrl() : m.runbook();
        if (runbook != null) {
            annotations.put("runbook_url", runbook);
        }
        if (note != null && note.summary() != null) {
            annotations.put("rule_summary", note.summary());
        }
        if (note != null && note.description() != null) {
            annotations.put("rule_description", note.description());
        }
        return annotations;
    }
}
