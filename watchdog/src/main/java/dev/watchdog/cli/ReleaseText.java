package dev.watchdog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchdog.core.Unit;
import dev.watchdog.core.Units;
import dev.watchdog.incident.Incident;
import dev.watchdog.rules.Threshold;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code watchdog release show} for people, the 3 a.m. view: the state and the open incident
 * first, with its breaching rules, who decided what and why, and what to type next; then what the
 * rules saw at registration, the rules (breaching first, values in their unit beside their
 * baseline, those that never had data folded into one line), and the timeline with runs of the
 * same entry at the same moment folded. Times in UTC, to the second.
 */
final class ReleaseText {

    /** A run of this many entries of one kind at one moment is shown as one line. */
    private static final int FOLD = 4;
    private static final List<String> URGENCY = List.of("p0", "p1", "pending", "error", "ok", "inconclusive", "waiting");

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
        incident(out, r);
        before(out, r.path("before"));
        line(out, "watched", time(r, "startedAt") + " to " + time(r, "windowUntil") + ", healthy if quiet until "
                + time(r, "bakeUntil"));
        if (r.path("labels").size() > 0) {
            StringJoiner labels = new StringJoiner(", ");
            r.path("labels").properties().forEach(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
            line(out, "labels", labels.toString());
        }
        rules(out, r.path("rules"));
        timeline(out, events);
        return out.toString();
    }

    private static void incident(StringBuilder out, JsonNode r) {
        JsonNode i = r.path("incident");
        if (i.isMissingNode() || i.isNull()) {
            line(out, "incident", "none");
            return;
        }
        int level = i.path("level").asInt();
        line(out, "incident", i.path("severity").asText() + " " + i.path("status").asText() + ", "
                + (level == 0 ? "nobody paged" : "paged up to level " + level) + ", opened " + time(i, "openedAt"));
        Map<String, Unit> units = units(r.path("rules"));
        for (JsonNode b : i.path("rules")) {
            Unit unit = units.getOrDefault(b.path("rule").asText(), Unit.NONE);
            out.append("          - ").append(b.path("rule").asText()).append(": ").append(value(unit, b.path("value")))
                    .append(b.path("baseline").isNumber() ? " against baseline " + value(unit, b.path("baseline")) : "")
                    .append(" (").append(b.path("severity").asText()).append(' ')
                    .append(Threshold.inUnit(unit, b.path("threshold").asText()))
                    .append(b.path("before").asBoolean() ? ", already before the release" : "").append(")\n");
        }
        for (JsonNode d : i.path("decisions")) {
            out.append("          ").append(Incident.Mark.words(d.path("kind").asText())).append(" by ")
                    .append(d.path("who").asText()).append(" at ").append(time(d, "at"))
                    .append(d.hasNonNull("reason") ? ": \"" + d.path("reason").asText() + "\"" : "").append('\n');
        }
        if (i.path("open").asBoolean()) {
            String id = r.path("id").asText();
            out.append("          decide: watchdog release ack|rollback|accept ").append(id).append(" --reason '...'\n");
        }
    }

    private static void before(StringBuilder out, JsonNode before) {
        if (!before.isObject()) {
            return;
        }
        if (before.hasNonNull("error")) {
            line(out, "before", "not looked at: " + before.path("error").asText());
        } else if (before.path("breaching").size() > 0) {
            StringJoiner breaching = new StringJoiner(", ");
            before.path("breaching").forEach(b -> breaching.add(b.path("rule").asText() + " " + b.path("severity").asText()));
            line(out, "before", "already breaching at registration, not caused by this release: " + breaching);
        } else if (before.path("judged").asInt() == 0) {
            line(out, "before", "no rule found any data at registration: check the service's name and its labels");
        }
    }

    /** Breaching first; the rules that never had data on one line. */
    private static void rules(StringBuilder out, JsonNode rules) {
        List<JsonNode> all = new ArrayList<>();
        rules.forEach(all::add);
        all.sort(Comparator.comparingInt(ReleaseText::urgency));
        out.append("rules\n");
        List<String> noData = new ArrayList<>();
        for (JsonNode rule : all) {
            String outcome = rule.path("outcome").asText();
            if (!rule.path("value").isNumber() && (outcome.equals("inconclusive") || outcome.equals("waiting"))) {
                noData.add(rule.path("name").asText());
                continue;
            }
            Unit unit = unit(rule);
            String baseline = rule.path("baseline").isNumber() ? "baseline " + value(unit, rule.path("baseline")) : "";
            out.append(String.format("  %-28s %-12s %-12s %-26s %s", rule.path("name").asText(), outcome,
                    value(unit, rule.path("value")), thresholds(unit, rule.path("threshold")), baseline).stripTrailing())
                    .append('\n')
                    .append(outcome.equals("error") && rule.hasNonNull("message")
                            ? "    (" + rule.path("message").asText() + ")\n" : "");
        }
        if (!noData.isEmpty()) {
            out.append("  ").append(noData.size()).append(" rule(s) without data so far: ").append(String.join(", ", noData))
                    .append('\n');
        }
    }

    /** Runs of the same kind of entry at the same moment (27 rules inconclusive at T+0) folded into one line. */
    private static void timeline(StringBuilder out, JsonNode events) {
        out.append("timeline\n");
        List<JsonNode> all = new ArrayList<>();
        events.forEach(all::add);
        for (int i = 0; i < all.size(); ) {
            JsonNode e = all.get(i);
            int j = i;
            while (j < all.size() && all.get(j).path("at").asText().equals(e.path("at").asText())
                    && all.get(j).path("type").asText().equals(e.path("type").asText())) {
                j++;
            }
            String reason = e.path("data").hasNonNull("reason") ? ": \"" + e.path("data").path("reason").asText() + "\"" : "";
            String message = j - i >= FOLD ? (j - i) + " entries: " + e.path("message").asText() + "; ..."
                    : e.path("message").asText() + reason;
            out.append(String.format("  %s  %-22s %s%n", time(e, "at"), e.path("type").asText(), message));
            if (j - i < FOLD) {
                for (int k = i + 1; k < j; k++) {
                    JsonNode more = all.get(k);
                    out.append(String.format("  %s  %-22s %s%n", time(more, "at"), more.path("type").asText(),
                            more.path("message").asText()));
                }
            }
            i = j;
        }
    }

    private static int urgency(JsonNode rule) {
        int at = URGENCY.indexOf(rule.path("outcome").asText());
        return at < 0 ? URGENCY.size() : at;
    }

    private static Map<String, Unit> units(JsonNode rules) {
        Map<String, Unit> out = new java.util.HashMap<>();
        rules.forEach(rule -> out.put(rule.path("name").asText(), unit(rule)));
        return out;
    }

    private static Unit unit(JsonNode rule) {
        try {
            return Unit.valueOf(rule.path("unit").asText("none").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Unit.NONE;
        }
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append(String.format("%-10s%s%n", name, value));
    }

    private static String thresholds(Unit unit, JsonNode t) {
        StringJoiner out = new StringJoiner("  ");
        for (Map.Entry<String, JsonNode> e : t.properties()) {
            out.add(e.getKey() + " " + Threshold.inUnit(unit, e.getValue().asText()));
        }
        return out.toString();
    }

    /** {@code release list}: a header, then a line per release with its age at {@code now}. */
    static String list(JsonNode releases, Instant now) {
        String row = "%-30s %-14s %-12s %-12s %-7s %-15s %s%n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, row, "ID", "SERVICE", "VERSION", "ENVIRONMENT",
                "AGE", "STATE", "VERDICT"));
        for (JsonNode r : releases) {
            out.append(String.format(Locale.ROOT, row, text(r, "id"), text(r, "service"), text(r, "version"),
                    text(r, "environment"), age(text(r, "startedAt"), now), text(r, "state"), text(r, "verdict")));
        }
        return out.toString();
    }

    /** What a decision did, in one line: {@code acknowledged rel_...: api 1.4.0 (production) is degraded}. */
    static String decided(String command, JsonNode r) {
        String did = switch (command) {
            case "ack" -> "acknowledged";
            case "rollback" -> "rollback decided for";
            case "accept" -> "accepted";
            case "finish" -> "finished";
            default -> "cancelled";
        };
        return did + " " + text(r, "id") + ": " + text(r, "service") + " " + text(r, "version") + " ("
                + text(r, "environment") + ") is " + text(r, "state")
                + (r.path("verdict").isNull() || r.path("verdict").isMissingNode() ? "" : ", verdict " + text(r, "verdict"));
    }

    /** How long ago, in its two largest units: 45s, 12m30s, 3h5m, 2d4h. */
    static String age(String startedAt, Instant now) {
        long s;
        try {
            s = Math.max(0, Duration.between(Instant.parse(startedAt), now).toSeconds());
        } catch (DateTimeParseException e) {
            return "-";
        }
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        int i = 0;
        while (i < sizes.length - 1 && s < sizes[i]) {
            i++;
        }
        long rest = i + 1 < sizes.length ? s % sizes[i] / sizes[i + 1] : 0;
        return s / sizes[i] + names[i] + (rest == 0 ? "" : rest + names[i + 1]);
    }

    /** A value as messages show it: in the rule's unit, three significant digits. */
    private static String value(Unit unit, JsonNode value) {
        return value.isNumber() ? Units.format(unit, value.asDouble()) : "-";
    }

    /** To the second, in UTC (the Z says so): people read these. */
    private static String time(JsonNode node, String field) {
        String at = text(node, field);
        try {
            return Instant.parse(at).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return at;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value.asText();
    }
}
