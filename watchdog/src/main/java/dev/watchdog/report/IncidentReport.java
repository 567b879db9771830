package dev.watchdog.report;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident.Mark;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Verification;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.Event;
import dev.watchdog.release.RollbackRecord;
import dev.watchdog.rules.RuleSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A release's incident report: a Markdown post-mortem draft written from what the watchdog
 * recorded (the release, its timeline, its incidents and the rules). Pure.
 */
public final class IncidentReport {

    private IncidentReport() {}

    public static String markdown(Watch w, List<Event> events, List<Incident> incidents, RuleSet rules) {
        Release r = w.release();
        Markdown md = new Markdown(r.startedAt());
        md.heading(1, "Incident report: " + Markdown.text(r.service() + " " + r.version() + " in " + r.environment())
                + " (" + outcome(r) + ")");
        md.line("A post-mortem draft written by Release Watchdog from what it recorded for release "
                + Markdown.code(r.id()) + ". Times are UTC; T+ counts from the release's start.").gap();
        deployed(md, r);
        times(md, Times.of(r, incidents, w.rollback()));
        Breaches.write(md, r, events, incidents, rules);
        incidents(md, incidents);
        rollback(md, w, events);
        timeline(md, events);
        md.heading(2, "To fill in");
        List.of("What changed in this release:", "Root cause:", "Impact (who, how long):", "What went well, what did not:",
                "Action items:").forEach(q -> md.line("- " + q));
        return md.text();
    }

    private static String outcome(Release r) {
        String state = r.state().label().replace('_', ' ');
        return r.verdict() == null || r.verdict().label().equals(r.state().label()) ? state
                : state + ", verdict " + r.verdict().label().replace('_', ' ');
    }

    private static void deployed(Markdown md, Release r) {
        md.heading(2, "What was deployed");
        String labels = r.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("Service", Markdown.text(r.service())));
        rows.add(List.of("Version", Markdown.text(r.version()) + (r.previousVersion() == null ? ""
                : " (previous: " + Markdown.text(r.previousVersion()) + ")")));
        rows.add(List.of("Environment", Markdown.text(r.environment())));
        rows.add(List.of("Labels", labels.isEmpty() ? "none" : Markdown.text(labels)));
        rows.add(List.of("Release", Markdown.code(r.id())));
        rows.add(List.of("Watched", "from " + r.startedAt() + " for " + Durations.format(r.window())
                + "; healthy verdict due at " + r.bakeUntil()));
        rows.add(List.of("Now", r.state().label() + ", verdict " + (r.verdict() == null ? "none" : r.verdict().label())
                + (r.endedAt() == null ? "" : ", ended " + md.at(r.endedAt()))));
        md.table(List.of("", ""), rows);
    }

    private static void times(Markdown md, List<Times> times) {
        md.heading(2, "Time to detect, acknowledge and roll back");
        if (times.isEmpty()) {
            md.line("No incident was opened and nothing was rolled back.").gap();
            return;
        }
        md.table(List.of("incident", "opened", "time to detect", "time to acknowledge", "time to roll back"),
                times.stream().map(t -> row(md, t)).toList());
        md.line("Detect: from the release's start to the incident opening. Acknowledge: from the opening to the first "
                + "acknowledgement. Roll back: from the opening to the rollback webhook's success. The same figures feed "
                + "`watchdog_time_to_detect_seconds`, `watchdog_time_to_acknowledge_seconds` and "
                + "`watchdog_time_to_rollback_seconds`.").gap();
    }

    private static List<String> row(Markdown md, Times t) {
        String acknowledged = Markdown.duration(t.acknowledge())
                + (t.acknowledgedBy() == null ? "" : " (" + Markdown.text(t.acknowledgedBy().who()) + ")");
        return t.incident() == null
                ? List.of("(none: the team's call)", "-", "-", "-", Markdown.duration(t.rollback()))
                : List.of(Markdown.code(t.incident().id()), md.at(t.incident().openedAt()), Markdown.duration(t.detect()),
                        acknowledged, Markdown.duration(t.rollback()));
    }

    private static void incidents(Markdown md, List<Incident> incidents) {
        md.heading(2, "Incidents");
        if (incidents.isEmpty()) {
            md.line("None.").gap();
        }
        incidents.forEach(inc -> incident(md, inc));
    }

    private static void incident(Markdown md, Incident inc) {
        md.heading(3, "Incident " + Markdown.code(inc.id()) + ": " + inc.severity() + ", " + inc.status().label()
                + (inc.resolution() == null ? "" : " (" + inc.resolution().replace('_', ' ') + ")"));
        int levels = inc.policy() == null ? 0 : inc.policy().levels().size();
        md.line("- Opened " + md.at(inc.openedAt()) + "; rules: " + String.join(", ", inc.rules().keySet()));
        md.line("- Paged up to level " + inc.level() + " of " + levels);
        if (inc.cause() != null) {
            md.line("- Raised to P0: " + inc.cause().label().replace('_', ' '));
        }
        if (inc.resolvedAt() != null) {
            String how = Objects.requireNonNull(inc.resolution(), "a resolved incident says how");
            md.line("- Resolved " + md.at(inc.resolvedAt()) + ": " + how.replace('_', ' '));
        }
        md.gap();
        if (!inc.decisions().isEmpty()) {
            md.table(List.of("at", "who", "did", "why"), inc.decisions().stream().map(m -> decision(md, m)).toList());
        }
    }

    private static List<String> decision(Markdown md, Mark m) {
        return List.of(md.at(m.at()), Markdown.text(m.who()), Mark.words(m.kind()), m.reason() == null ? "" : Markdown.text(m.reason()));
    }

    private static void rollback(Markdown md, Watch w, List<Event> events) {
        md.heading(2, "Rollback");
        RollbackRecord rb = w.rollback();
        if (rb == null) {
            md.line("Nothing was rolled back.").gap();
            return;
        }
        RollbackRecord.Reason why = rb.reason();
        String reason = why.rule() == null ? "the team's decision" : why.rule() + " " + why.severity() + " at "
                + Markdown.number(why.value()) + " against " + Breaches.threshold(why.threshold());
        md.line("- Asked for " + md.at(rb.requestedAt()) + " by " + Markdown.text(rb.triggeredBy()) + ": " + reason
                + "; Idempotency-Key " + Markdown.code(rb.key()));
        if (rb.round() > 1) {
            md.line("- Tried " + rb.round() + " times (the same key each time)");
        }
        md.line("- " + answer(md, rb));
        md.line("- " + recovery(md, w.verification(), rb, events)).gap();
    }

    private static String answer(Markdown md, RollbackRecord rb) {
        if (!rb.answered()) {
            return "The rollback webhook has not answered yet.";
        }
        return Boolean.TRUE.equals(rb.succeeded())
                ? "Done " + md.at(rb.answeredAt()) + ": the rollback webhook succeeded after " + rb.attempts() + " attempt(s)."
                : "FAILED " + md.at(rb.answeredAt()) + " after " + rb.attempts() + " attempt(s): "
                        + Markdown.text(rb.lastError()) + ".";
    }

    private static String recovery(Markdown md, @Nullable Verification v, RollbackRecord rb, List<Event> events) {
        if (!Boolean.TRUE.equals(rb.succeeded())) {
            return "Recovery: not verified, the rollback was not done.";
        }
        if (v == null) {
            return "Recovery: not verified (verification is off, or no rule was breaching when it was done).";
        }
        String rules = String.join(", ", v.rules());
        return switch (v.state()) {
            case RECOVERED -> "Recovered " + md.at(verified(events)) + ": " + rules + " healthy again after the rollback.";
            case NOT_RECOVERED -> "NOT recovered: " + rules + " still breaching at " + md.at(v.until()) + ".";
            case PENDING -> "Recovery: being verified until " + md.at(v.until()) + " (" + rules + ").";
        };
    }

    /** When the verification ended: its last timeline entry. */
    private static @Nullable Instant verified(List<Event> events) {
        return events.stream().filter(e -> e.type() == Event.Type.VERIFICATION).reduce((a, b) -> b).map(Event::at)
                .orElse(null);
    }

    /** Every entry but the deliveries that went through: the notices themselves already say what went to whom. */
    private static void timeline(Markdown md, List<Event> events) {
        md.heading(2, "Timeline");
        md.table(List.of("at", "", "what"), events.stream().filter(e -> e.type() != Event.Type.NOTIFICATION_SENT)
                .map(e -> List.of(e.at().toString(), md.sinceStart(e.at()),
                        e.type().label() + ": " + Markdown.text(e.message()) + who(e))).toList());
    }

    private static String who(Event e) {
        Object reason = e.data().get("reason");
        return reason == null ? "" : " (\"" + Markdown.text(String.valueOf(reason)) + "\")";
    }
}
