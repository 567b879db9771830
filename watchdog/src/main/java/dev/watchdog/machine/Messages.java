package dev.watchdog.machine;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.core.Units;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message.Note;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.incident.Notice;
import dev.watchdog.judge.RuleState;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.Template;
import dev.watchdog.rules.Threshold;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What each notice says. Pure. An incident's message names the release, every rule with its value
 * against its threshold in the rule's unit (and, for a rule with a test, the evidence: "p95 +14 %
 * [+9 %, +19 %] against the hour before; 2310 and 4020 requests"), the severity, the level, how long it
 * has been open, how to acknowledge and decide (CLI and API), and each rule's summary, description and
 * runbook.
 */
final class Messages {

    private Messages() {}

    static Message incident(Notice notice, Incident inc, Release r, RuleSet rules, Map<String, RuleState> states,
                            String apiBase, Instant now) {
        String sev = inc.severity().name();
        Breach lead = inc.rules().values().stream().max(Comparator.comparing(Breach::severity)).orElse(null);
        String headline = lead == null ? "" : ": " + lead.rule() + " " + value(rules, lead);
        String title = "[" + sev + "] " + verb(notice.kind(), inc) + " " + r.service() + " " + r.version() + " ("
                + r.environment() + ")" + headline;
        List<String> lines = new ArrayList<>();
        List<Note> notes = notes(rules, inc.rules().keySet(), r);
        for (Breach b : inc.rules().values()) {
            Optional<Rule> rule = rules.byName(b.rule());
            String unitThreshold = rule.map(x -> Threshold.inUnit(x.presentation().unit(), b.threshold())).orElse(b.threshold());
            String baseline = b.baseline() == null ? "" : rule.map(x -> " against baseline "
                    + Units.format(x.presentation().unit(), b.baseline())).orElse("");
            Note note = notes.stream().filter(n -> n.rule().equals(b.rule())).findFirst().orElse(null);
            String summary = note == null || note.summary() == null ? "" : ": " + note.summary();
            String level = b.before() ? "P0 " + unitThreshold + ", already before the release: paged, not rolled back"
                    : b.severity() + " " + unitThreshold;
            lines.add("- " + b.rule() + ": " + value(rules, b) + baseline + " (" + level + ")" + summary);
            Optional.ofNullable(states.get(b.rule())).map(RuleState::evidence).ifPresent(e -> lines.add("  " + e.text()));
            if (note != null) {
                Optional.ofNullable(note.description()).ifPresent(d -> lines.add("  " + d));
                Optional.ofNullable(note.runbookUrl()).ifPresent(u -> lines.add("  Runbook: " + u));
            }
        }
        cause(inc, r).ifPresent(lines::addAll);
        int levels = inc.policy() == null ? 0 : inc.policy().levels().size();
        lines.add("Severity " + sev + (sev.equals("P0") ? " (automatic rollback)" : " (the team decides)")
                + " | level " + inc.level() + " of " + levels + " | open for " + Durations.format(
                        Duration.ofSeconds(Duration.between(inc.openedAt(), now).toSeconds())) + " | incident " + inc.id());
        if (inc.open() && (notice.kind().paging() || notice.kind() == Kind.REESCALATED || inc.cause() != null)) {
            lines.add("Acknowledge: watchdog release ack " + r.id() + " --reason '...'   or   POST " + apiBase
                    + "/api/v1/releases/" + r.id() + "/ack");
            if (inc.cause() == null) {
                // A raised incident's cause has said what to decide, in its own words.
                lines.add("Decide: watchdog release rollback " + r.id() + "   |   watchdog release accept " + r.id());
            }
        }
        inc.decisions().stream().reduce((a, b) -> b).filter(d -> !notice.kind().paging())
                .ifPresent(d -> lines.add("By " + d.who() + (d.reason() == null ? "" : ": " + d.reason())));
        String runbook = notes.stream().map(Note::runbookUrl).filter(Objects::nonNull).findFirst().orElse(null);
        return new Message(title, lines, sev, r.service(), r.version(), r.environment(), r.id(),
                List.copyOf(inc.rules().keySet()), runbook, inc.open(), r.labels(), notes, link(apiBase, r), r.previousVersion());
    }

    /** What each rule says about itself, its annotations filled in with the release's values. */
    static List<Note> notes(RuleSet rules, Collection<String> names, Release r) {
        Map<String, String> values = r.templateValues();
        return names.stream().map(rules::byName).flatMap(Optional::stream)
                .map(x -> new Note(x.name(), x.presentation().labels(), Template.annotate(x.presentation().summary(), values),
                        Template.annotate(x.presentation().description(), values), x.presentation().runbookUrl()))
                .toList();
    }

    /** The release on the on-call page, which is served at {@code /} of the external URL. */
    static String link(String apiBase, Release r) {
        return apiBase + "/#" + r.id();
    }

    /** Lifecycle messages: watching, checkpoints, all clear, and a watch gone blind or seeing again. */
    static Message release(Notice notice, Release r, Map<String, RuleState> states, @Nullable Before before,
                           RuleSet rules, @Nullable List<String> summary, String apiBase, Instant now) {
        String what = r.service() + " " + r.version() + " (" + r.environment() + ")";
        List<String> lines = new ArrayList<>();
        String title = switch (notice.kind()) {
            case WATCHING -> "Watching " + what + " for " + Durations.format(r.window()) + ", healthy verdict at "
                    + r.bakeUntil();
            case CHECKPOINT -> "T+" + notice.detail() + " " + what + ": " + r.state().label();
            case ALL_CLEAR -> "All clear: " + what + " " + notice.detail();
            case UNJUDGED -> "Unjudged, not healthy: " + what + " " + notice.detail()
                    + ": check that its metrics reach Prometheus with the labels the rules select";
            case BLIND -> "Cannot see " + what + ": queries keep failing (no rollback for this)";
            case SEEING -> "Seeing " + what + " again: queries answer";
            case SUPERSEDED -> "Superseded: " + what + " by release " + notice.detail();
            default -> notice.kind().label() + " " + what;
        };
        if (notice.kind() == Kind.WATCHING && before != null) {
            lines.addAll(before(before, r, rules));
        }
        for (Rule rule : rules.rules()) {
            RuleState s = states.get(rule.name());
            if ((summary == null || summary.contains(rule.name())) && s != null) {
                boolean failing = s.outcome() == Outcome.ERROR;
                boolean why = (failing || notice.kind() == Kind.UNJUDGED) && s.message() != null;
                if (notice.kind() != Kind.BLIND || failing) {
                    lines.add("- " + rule.name() + ": " + s.outcome().label() + (s.value() == null ? ""
                            : " " + Units.format(rule.presentation().unit(), s.value())) + (s.baseline() == null ? ""
                            : " (baseline " + Units.format(rule.presentation().unit(), s.baseline()) + ")")
                            + (why ? " (" + s.message() + ")" : "") + (rule.dryRun() ? " [dry run]" : ""));
                    Optional.ofNullable(s.evidence()).ifPresent(e -> lines.add("  " + e.text()));
                }
            }
        }
        lines.add("Release " + r.id() + " | started " + r.startedAt());
        return new Message(title, lines, null, r.service(), r.version(), r.environment(), r.id(), List.of(), null,
                notice.kind() == Kind.BLIND, r.labels(), List.of(), link(apiBase, r), r.previousVersion());
    }

    /**
     * What the rules saw at registration, as lines: the first says it all (the timeline's entry), the
     * rest name each breach already there.
     */
    static List<String> before(Before before, Release r, RuleSet rules) {
        List<String> lines = new ArrayList<>();
        String where = r.service() + " in " + r.environment();
        if (before.error() != null) {
            lines.add("Could not look at " + where + " before the release: " + before.error());
        } else if (before.blank()) {
            lines.add("No rule finds any data for " + where + " (" + String.join(", ", before.nothingToJudge())
                    + "): check the service's name and that its metrics carry the labels the rules select");
        } else if (before.breaching().isEmpty()) {
            lines.add("Before the release: " + before.judged() + " rule(s) judged, nothing breaching");
        } else {
            lines.add("Already breaching before the release, so not caused by it: "
                    + before.breaching().stream().map(b -> b.rule() + " " + b.severity()).reduce((a, b) -> a + ", " + b)
                    .orElse("") + (before.breaching().stream().anyMatch(b -> b.severity().name().equals("P0"))
                    ? " (a P0 already there pages people; it does not roll back to a version that had it too)" : ""));
            for (Breach b : before.breaching()) {
                Optional<Rule> rule = rules.byName(b.rule());
                lines.add("- " + b.rule() + ": " + value(rules, b) + " (" + b.severity() + " "
                        + rule.map(x -> Threshold.inUnit(x.presentation().unit(), b.threshold())).orElse(b.threshold()) + ")");
            }
        }
        return lines;
    }

    /** What a raised incident means for the people paged, and what they can do. */
    private static Optional<List<String>> cause(Incident inc, Release r) {
        if (inc.cause() == null) {
            return Optional.empty();
        }
        String what = inc.cause() == Incident.Cause.ROLLBACK_FAILED
                ? "The rollback webhook failed: " + r.version() + " is still deployed."
                : "The rollback was done, but the rules above are still breaching.";
        return Optional.of(List.of(what, "Decide: try again with watchdog release rollback " + r.id()
                + "   |   or act by hand, then watchdog release accept " + r.id() + " --reason '...'"));
    }

    private static String value(RuleSet rules, Breach b) {
        return rules.byName(b.rule()).map(x -> Units.format(x.presentation().unit(), b.value())).orElse(String.valueOf(b.value()));
    }

    private static String verb(Kind kind, Incident inc) {
        return switch (kind) {
            case OPENED -> inc.severity().name().equals("P0") ? "Rolling back" : "Breach in";
            case ESCALATED, REESCALATED -> "Escalated (level " + inc.level() + "):";
            case REPEATED -> "Still unacknowledged:";
            case UPGRADED -> "Now P0, rolling back:";
            case REOPENED -> "Breaching again:";
            case ACKNOWLEDGED -> "Acknowledged:";
            case ACCEPTED -> "Accepted, release kept:";
            case ROLLBACK_DECIDED -> "Rollback decided:";
            case ROLLED_BACK -> "Rolled back:";
            case ROLLBACK_FAILED -> "ROLLBACK FAILED:";
            case NOT_RECOVERED -> "ROLLBACK DID NOT RESTORE HEALTH:";
            case RESOLVED -> "Resolved:";
            default -> kind.label();
        };
    }
}
