package dev.watchdog.incident;

import java.util.List;

/**
 * A message as people read it, whatever carries it: a title, lines, and the facts receivers that
 * take structure (Alertmanager labels, webhook JSON) need.
 */
public record Message(
        String title,
        List<String> lines,
        String severity,
        String service,
        String version,
        String environment,
        String releaseId,
        List<String> rules,
        String runbook,
        boolean firing) {

    public Message {
        lines = List.copyOf(lines);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    /** Title and lines as plain text. */
    public String text() {
        return title + "\n" + String.join("\n", lines);
    }
}
