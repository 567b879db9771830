package dev.watchdog.cli;

import dev.watchdog.cli.RuleTestCommand.Expectation;
import dev.watchdog.core.Durations;
import dev.watchdog.core.Severity;
import dev.watchdog.core.Units;
import dev.watchdog.evaluation.Replay.RuleTimeline;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.RuleState;
import dev.watchdog.rules.Threshold;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Checks one expectation of a rule test against the judged timelines: a rule's outcome at a time, or
 * over a span of time that no rule (or one named rule) counts a severity ({@code never}), or that one
 * does by a time ({@code reach}). Each failure reads as a difference, with what was seen.
 */
final class ExpectationCheck {

    private ExpectationCheck() {}

    /** A readable difference, or null when the expectation holds; {@code crossings} gives each crossing's time. */
    static @Nullable String check(Expectation e, Map<String, RuleTimeline> timelines, Function<String, Optional<Instant>> crossings) {
        String shape = e.shapeProblem();
        if (shape != null) {
            return shape;
        }
        if (e.rule() != null && !timelines.containsKey(e.rule())) {
            return e.rule() + ": no such rule in the rule files";
        }
        Collection<RuleTimeline> judged = e.rule() == null ? timelines.values() : List.of(timelines.get(e.rule()));
        if (e.never() != null) {
            return never(e, severity(e.never()), judged);
        }
        if (e.reach() != null && e.crossing() != null) {
            return reachAfter(e, severity(e.reach()), judged, crossings.apply(e.crossing()));
        }
        if (e.reach() != null) {
            return reach(e, severity(e.reach()), judged);
        }
        return outcome(e, Objects.requireNonNull(timelines.get(e.rule()), "an outcome names a rule the files have"));
    }

    /** No state counted {@code severity} (or worse) at an evaluation in [from, to]. */
    private static @Nullable String never(Expectation e, Severity severity, Collection<RuleTimeline> judged) {
        Instant from = e.from() == null ? Instant.MIN : at(e.from());
        Instant to = e.to() == null ? Instant.MAX : at(e.to());
        Optional<Hit> first = first(judged, severity, from, to);
        String span = (e.from() == null ? "from the release" : "from " + Durations.format(e.from()))
                + (e.to() == null ? " on" : " to " + Durations.format(e.to()));
        return first.map(h -> "never " + e.never() + " " + span + ": " + h.timeline().rule().name() + " counted "
                + label(severity) + " at " + since(h.at()) + facts(h.timeline(), h.state())).orElse(null);
    }

    /** Some state counted {@code severity} (or worse) at an evaluation at or before {@code by}. */
    private static @Nullable String reach(Expectation e, Severity severity, Collection<RuleTimeline> judged) {
        Duration by = Objects.requireNonNull(e.by(), "a reach without crossing has by");
        Optional<Hit> first = first(judged, severity, Instant.MIN, Instant.MAX);
        if (first.isPresent() && !first.get().at().isAfter(at(by))) {
            return null;
        }
        String who = e.rule() == null ? "no rule" : e.rule();
        return "reach " + e.reach() + " by " + Durations.format(by) + ": " + who + " counted " + label(severity)
                + " by then" + first.map(h -> " (first: " + h.timeline().rule().name() + " at "
                        + since(h.at()) + ")").orElse(never(judged));
    }

    /**
     * The severity counted within {@code within} of the crossing; for p0, also none before it: a
     * rollback before the criteria's signal crosses is a false one.
     */
    private static @Nullable String reachAfter(Expectation e, Severity severity, Collection<RuleTimeline> judged,
                                               Optional<Instant> crossing) {
        Duration within = Objects.requireNonNull(e.within(), "a reach with a crossing has within");
        String what = "reach " + e.reach() + " within " + Durations.format(within) + " of '" + e.crossing() + "'";
        if (crossing.isEmpty()) {
            return what + ": it never held";
        }
        Instant c = crossing.get();
        Optional<Hit> early = first(judged, severity, Instant.MIN, c.minusMillis(1));
        if (severity == Severity.P0 && early.isPresent()) {
            return what + ": " + early.get().timeline().rule().name() + " counted p0 at "
                    + since(early.get().at()) + ", before it held at " + since(c)
                    + facts(early.get().timeline(), early.get().state());
        }
        Optional<Hit> hit = first(judged, severity, Instant.MIN, Instant.MAX);
        if (hit.isPresent() && !hit.get().at().isAfter(c.plus(within))) {
            return null;
        }
        return what + ": it held at " + since(c) + ", and " + (e.rule() == null ? "no rule" : e.rule()) + " counted "
                + label(severity) + " by " + since(c.plus(within)) + hit.map(h -> " (first: " + h.timeline().rule().name()
                        + " at " + since(h.at()) + ")").orElse(never(judged));
    }

    /** Why nothing was counted: said as "no data" when no rule ever had anything to judge. */
    private static String never(Collection<RuleTimeline> judged) {
        return judged.stream().anyMatch(RuleTimeline::everJudged) ? " (never)"
                : " (never: no data, the rules' series were empty throughout)";
    }

    /** A state that counted a severity, and the evaluation it was judged at. */
    private record Hit(RuleTimeline timeline, RuleState state, Instant at) {}

    private static Optional<Hit> first(Collection<RuleTimeline> judged, Severity severity, Instant from, Instant to) {
        List<Hit> hits = new ArrayList<>();
        for (RuleTimeline t : judged) {
            t.states().stream().map(s -> new Hit(t, s, evaluated(s)))
                    .filter(h -> !h.at().isBefore(from) && !h.at().isAfter(to))
                    .filter(h -> h.state().level().compareTo(severity) >= 0).findFirst().ifPresent(hits::add);
        }
        return hits.stream().min(Comparator.comparing(Hit::at));
    }

    /** Every state of a replayed timeline was judged at an evaluation. */
    private static Instant evaluated(RuleState s) {
        return Objects.requireNonNull(s.evaluatedAt(), "a replayed state was evaluated");
    }

    private static @Nullable String outcome(Expectation e, RuleTimeline timeline) {
        Duration when = Objects.requireNonNull(e.at(), "an outcome expectation has at");
        String outcome = Objects.requireNonNull(e.outcome(), "an outcome expectation has outcome");
        String where = e.rule() + " at " + Durations.format(when);
        RuleState got = timeline.at(at(when));
        if (got == null) {
            return where + ": not evaluated yet (the release starts later)";
        }
        List<String> diffs = new ArrayList<>();
        if (!outcome.equals(got.outcome().label())) {
            diffs.add("outcome: expected " + outcome + ", got " + got.outcome().label());
        }
        if (e.value() != null && !close(e.value(), got.value())) {
            diffs.add("value: expected " + e.value() + ", got " + got.value());
        }
        if (e.baseline() != null && !close(e.baseline(), got.baseline())) {
            diffs.add("baseline: expected " + e.baseline() + ", got " + got.baseline());
        }
        return diffs.isEmpty() ? null : where + ": " + String.join("; ", diffs) + facts(timeline, got);
    }

    /** What was seen, in the rule's unit: " [value 2.91 %, threshold > 1 %, message]". */
    private static String facts(RuleTimeline timeline, RuleState got) {
        List<String> facts = new ArrayList<>();
        if (got.value() != null) {
            facts.add("value " + Units.format(timeline.rule().presentation().unit(), got.value()));
        }
        if (got.baseline() != null) {
            facts.add("baseline " + Units.format(timeline.rule().presentation().unit(), got.baseline()));
        }
        String threshold = got.value() == null ? "" : Judge.thresholdFor(timeline.rule(), got.value(), got.baseline());
        if (!threshold.isEmpty()) {
            facts.add("threshold " + Threshold.inUnit(timeline.rule().presentation().unit(), threshold));
        }
        if (got.message() != null) {
            facts.add(got.message());
        }
        if (got.evidence() != null) {
            facts.add(got.evidence().text());
        }
        return facts.isEmpty() ? "" : " [" + String.join(", ", facts) + "]";
    }

    private static boolean close(double expected, @Nullable Double got) {
        return got != null && Math.abs(expected - got) <= 1e-9 + 1e-6 * Math.abs(expected);
    }

    private static Severity severity(String label) {
        return label.equals("p0") ? Severity.P0 : Severity.P1;
    }

    private static String label(Severity s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static Instant at(Duration sinceOrigin) {
        return RuleTestCommand.ORIGIN.plus(sinceOrigin);
    }

    private static String since(Instant t) {
        return Durations.format(Duration.between(RuleTestCommand.ORIGIN, t));
    }
}
