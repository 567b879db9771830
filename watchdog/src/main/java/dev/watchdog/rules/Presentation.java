package dev.watchdog.rules;

import dev.watchdog.core.Unit;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a rule is shown and sent: the unit its values are read in, its annotations (summary,
 * description, runbook) and the labels that go with its alerts.
 */
public record Presentation(Unit unit, Map<String, String> annotations, Map<String, String> labels) {

    /** {@code annotations.summary}, or null. */
    public @Nullable String summary() {
        return annotations.get("summary");
    }

    /** {@code annotations.description}, or null. */
    public @Nullable String description() {
        return annotations.get("description");
    }

    /** {@code annotations.runbook_url}, or the older {@code runbook}, or null. */
    public @Nullable String runbookUrl() {
        return annotations.getOrDefault("runbook_url", annotations.get("runbook"));
    }
}
