package dev.watchdog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.StringJoiner;

/** {@code watchdog release show} for people: the release, its rules, its incident and its timeline, as text. */
final class ReleaseText {

    private ReleaseText() {}

    static String of(JsonNode r, JsonNode events) {
        StringBuilder out = new StringBuilder();
        out.append(r.path("id").asText()).append("  ").append(r.path("service").asText()).append(' ')
                .append(r.path("version").asText()).append(" (").append(r.path("environment").asText()).append(')');
        if (!text(r, "previousVersion").equals("-")) {
            out.append(", previously ").append(text(r, "previousVersion"));
        }
        out.append('\n');
        line(out, "state", text(r, "state") + ", verdict " + text(r, "verdict"));
        line(out, "watched", time(r, "startedAt") + " to " + time(r, "windowUntil") + ", healthy if quiet until "
                + time(r, "bakeUntil"));
        if (r.path("labels").size() > 0) {
            StringJoiner labels = new StringJoiner(", ");
            r.path("labels").properties().forEach(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
            line(out, "labels", labels.toString());
        }
        line(out, "incident", incident(r.path("incident")));
        out.append("rules\n");
        for (JsonNode rule : r.path("rules")) {
            out.append(String.format("  %-28s %-12s %-14s %s%n", rule.path("name").asText(), rule.path("outcome").asText(),
                    number(rule.path("value")), thresholds(rule.path("threshold"))));
        }
        out.append("timeline\n");
        for (JsonNode e : events) {
            out.append(String.format("  %s  %-22s %s%n", time(e, "at"), e.path("type").asText(),
                    e.path("message").asText()));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append(String.format("%-10s%s%n", name, value));
    }

    private static String incident(JsonNode i) {
        if (i.isMissingNode() || i.isNull()) {
            return "none";
        }
        String acked = i.path("acknowledged").isObject() ? ", acknowledged by " + i.path("acknowledged").path("who").asText() : "";
        int level = i.path("level").asInt();
        return i.path("severity").asText() + " " + (i.path("open").asBoolean() ? "open" : "resolved") + ", "
                + (level == 0 ? "nobody paged" : "paged up to level " + level) + acked + ", opened " + time(i, "openedAt");
    }

    private static String thresholds(JsonNode t) {
        StringJoiner out = new StringJoiner("  ");
        for (Map.Entry<String, JsonNode> e : t.properties()) {
            out.add(e.getKey() + " " + e.getValue().asText());
        }
        return out.toString();
    }

    /** To the second: people read these. */
    private static String time(JsonNode node, String field) {
        String at = text(node, field);
        try {
            return Instant.parse(at).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return at;
        }
    }

    /** Four significant digits: 0.07111, 1234, 2.5E+6. */
    private static String number(JsonNode value) {
        if (!value.isNumber()) {
            return "-";
        }
        return new BigDecimal(value.asText()).round(new MathContext(4)).stripTrailingZeros().toString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value.asText();
    }
}
