package dev.watchdog.incident;

import dev.watchdog.core.Ordered;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A message as people read it, whatever carries it: a title, lines, and the facts receivers that
 * take structure (Alertmanager labels, webhook JSON) need: the release's labels, each rule's labels
 * and annotations ({@code notes}), a link to the release on the on-call page, and the version it
 * replaced (null when not given).
 */
public record Message(
        String title,
        List<String> lines,
        @Nullable String severity,
        String service,
        String version,
        String environment,
        String releaseId,
        List<String> rules,
        @Nullable String runbook,
        boolean firing,
        Map<String, String> labels,
        List<Note> notes,
        @Nullable String link,
        @Nullable String previousVersion) {

    /** What a rule says about itself: its labels, and its summary, description and runbook (each may be null). */
    public record Note(String rule, Map<String, String> labels, @Nullable String summary, @Nullable String description,
                       @Nullable String runbookUrl) {
        public Note {
            labels = Ordered.sorted(labels);
        }
    }

    public Message {
        lines = List.copyOf(lines);
        rules = rules == null ? List.of() : List.copyOf(rules);
        labels = Ordered.sorted(labels);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** A message without the version before it. */
    public Message(String title, List<String> lines, @Nullable String severity, String service, String version,
                   String environment, String releaseId, List<String> rules, @Nullable String runbook, boolean firing,
                   Map<String, String> labels, List<Note> notes, @Nullable String link) {
        this(title, lines, severity, service, version, environment, releaseId, rules, runbook, firing, labels, notes, link,
                null);
    }

    /** A message without labels, notes or link. */
    public Message(String title, List<String> lines, @Nullable String severity, String service, String version,
                   String environment, String releaseId, List<String> rules, @Nullable String runbook, boolean firing) {
        this(title, lines, severity, service, version, environment, releaseId, rules, runbook, firing, Map.of(), List.of(),
                null);
    }

    /** Title and lines as plain text. */
    public String text() {
        return title + "\n" + String.join("\n", lines);
    }

    /** The note of one rule, if the message has it. */
    public @Nullable Note note(String rule) {
        return notes.stream().filter(n -> n.rule().equals(rule)).findFirst().orElse(null);
    }
}
