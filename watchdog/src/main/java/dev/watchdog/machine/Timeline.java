package dev.watchdog.machine;

import dev.watchdog.incident.Notice;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.RuleState;
import dev.watchdog.release.Event;
import dev.watchdog.rules.Rule;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The timeline entries that say what was judged and what was said, with the figures behind them. */
final class Timeline {

    private Timeline() {}

    /** A rule's outcome changed: its value against the threshold it is judged by, and its baseline. */
    static void outcome(Draft d, Rule rule, RuleState state) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("rule", state.rule());
        data.put("outcome", state.outcome().label());
        if (state.value() != null) {
            data.put("value", state.value());
        }
        if (state.baseline() != null) {
            data.put("baseline", state.baseline());
        }
        if (state.message() != null) {
            data.put("message", state.message());
        }
        if (state.evidence() != null) {
            data.put("evidence", state.evidence().text());
        }
        String threshold = Judge.thresholdFor(rule, state.value(), state.baseline());
        data.put("threshold", threshold);
        String baseline = state.baseline() == null ? "" : ", baseline " + number(state.baseline());
        String detail = state.value() != null ? " (value " + number(state.value()) + baseline + ", threshold "
                + threshold + ")" : state.message() != null ? " (" + state.message() + ")" : "";
        String evidence = state.evidence() == null ? "" : ": " + state.evidence().text();
        d.event(Event.Type.OUTCOME, state.rule() + " is " + state.outcome().label() + detail + evidence
                + (rule.dryRun() ? " [dry run]" : ""), data);
    }

    /** What was said, about what, to whom. */
    static void notice(Draft d, Notice n) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", n.kind().label());
        data.put("receivers", n.receivers());
        data.put("key", n.key());
        if (n.incidentId() != null) {
            data.put("incident", n.incidentId());
            data.put("level", n.level());
        }
        String what = n.incidentId() == null ? n.kind().label() + (n.detail() == null ? "" : " " + n.detail())
                : "incident " + n.incidentId() + " " + n.kind().label() + (n.level() > 0 ? " (level " + n.level() + ")" : "");
        d.event(n.incidentId() == null ? Event.Type.ANNOUNCEMENT : Event.Type.INCIDENT, what + " -> " + String.join(", ", n.receivers()),
                data);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
