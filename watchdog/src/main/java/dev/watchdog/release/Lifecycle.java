package dev.watchdog.release;

import dev.watchdog.evaluation.Severity;
import dev.watchdog.release.Release.State;
import dev.watchdog.release.Release.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How a watched release moves after its rules have been judged. Pure. A P0 is not handled here:
 * it asks for a rollback, which goes through the one path every rollback takes.
 */
public final class Lifecycle {

    private Lifecycle() {}

    /** The release after a tick whose worst latched level was {@code worst}, and the events that says. */
    public static Transition next(Release release, Severity worst, Instant now) {
        if (!release.state().watched() || worst == Severity.P0) {
            return new Transition(release, List.of());
        }
        List<Event> events = new ArrayList<>();
        Release r = release;
        if (worst == Severity.P1 && r.state() == State.WATCHING) {
            r = r.withState(State.DEGRADED, now);
            events.add(Event.of(r, now, "degraded", "a P1 breach is open: the team decides"));
        } else if (worst == Severity.NONE && r.state() == State.DEGRADED) {
            r = r.withState(State.WATCHING, now);
            events.add(Event.of(r, now, "recovered", "every rule has recovered"));
        }
        if (r.state() == State.WATCHING && r.verdict() == null && !now.isBefore(r.bakeUntil())) {
            r = r.withVerdict(Verdict.HEALTHY);
            events.add(Event.of(r, now, "verdict", "healthy: the bake time passed with nothing open"));
        }
        if (r.state() == State.WATCHING && !now.isBefore(r.windowUntil())) {
            r = r.withState(State.PASSED, now);
            events.add(Event.of(r, now, "passed", "the window ended with nothing open"));
        }
        return new Transition(r, events);
    }

    /** A release and what happened to it. */
    public record Transition(Release release, List<Event> events) {
        public Transition {
            events = List.copyOf(events);
        }
    }
}
