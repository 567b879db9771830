package dev.watchdog.machine;

import dev.watchdog.release.Event;
import java.util.List;

/** What one input does to a release: it moves (a new state, events, effects), or is refused. */
public sealed interface Step {

    /**
     * The release after the input, the timeline entries it adds, the effects to perform, and the
     * earlier effects it settles (their answers).
     */
    record Moved(Watch watch, List<Event> events, List<Effect> effects, List<Settled> settled) implements Step {
        public Moved {
            events = List.copyOf(events);
            effects = List.copyOf(effects);
            settled = List.copyOf(settled);
        }
    }

    /** The input is not allowed in the release's state (409 at the API). */
    record Refused(String why) implements Step {}

    /** An effect's answer, to be recorded on its outbox entry. */
    record Settled(String effect, Answer answer) {}
}
