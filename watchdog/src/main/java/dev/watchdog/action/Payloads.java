package dev.watchdog.action;

import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** What each kind of receiver is sent for a message. Pure. */
final class Payloads {

    static final int TELEGRAM_LIMIT = 4096;
    private static final String ALERTNAME = "ReleaseWatchdogIncident";

    private Payloads() {}

    /** Slack: {@code text} for notifications and old clients, {@code blocks} for the message itself. */
    static JsonObject slack(Message m) {
        JsonArray blocks = new JsonArray()
                .add(new JsonObject().put("type", "section").put("text", mrkdwn("*" + escapeSlack(m.title()) + "*")))
                .add(new JsonObject().put("type", "section").put("text", mrkdwn(escapeSlack(String.join("\n", m.lines())))))
                .add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(mrkdwn(
                        "release " + m.releaseId() + " | " + m.service() + " " + m.version() + " | " + m.environment()))));
        return new JsonObject().put("text", m.title()).put("blocks", blocks);
    }

    private static JsonObject mrkdwn(String text) {
        return new JsonObject().put("type", "mrkdwn").put("text", text);
    }

    private static String escapeSlack(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Telegram refuses messages over 4096 characters: longer ones are cut, and say so. */
    static String telegramText(Message m) {
        String text = m.text();
        if (text.length() <= TELEGRAM_LIMIT) {
            return text;
        }
        String more = "\n[cut: " + (text.length() - TELEGRAM_LIMIT) + "+ characters more]";
        return text.substring(0, TELEGRAM_LIMIT - more.length()) + more;
    }

    /** Grafana's {@code POST /api/annotations}: an organisation-wide annotation that dashboards find by its tags. */
    static JsonObject annotation(Notification n) {
        Message m = n.message();
        JsonArray tags = new JsonArray().add("watchdog").add(m.service()).add(m.environment()).add(m.releaseId())
                .add(n.kind().label());
        return new JsonObject().put("time", n.createdAt().toEpochMilli()).put("tags", tags).put("text", m.title());
    }

    /**
     * Alertmanager's {@code POST /api/v2/alerts}: one alert per rule, resolved with endsAt. Its labels
     * are the release's, then the rule's, then the watchdog's own (each set winning over the one
     * before); its annotations the message and the rule's own; its generatorURL the release on the
     * on-call page.
     */
    static JsonArray alerts(Message m, Instant startsAt, Instant endsAt) {
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

    private static JsonObject labels(Message m, String rule, Message.Note note) {
        JsonObject labels = new JsonObject();
        m.labels().forEach(labels::put);
        if (note != null) {
            note.labels().forEach(labels::put);
        }
        return labels.put("alertname", m.severity() == null ? "ReleaseWatchdogBlind" : ALERTNAME)
                .put("service", m.service()).put("environment", m.environment()).put("release", m.releaseId())
                .put("version", m.version()).put("rule", rule).put("severity", m.severity() == null ? "none" : m.severity());
    }

    private static JsonObject annotations(Message m, Message.Note note) {
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
