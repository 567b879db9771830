package dev.watchdog.machine;

import dev.watchdog.release.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One step's output while it is built: the watch as it moves, and the events and effects it adds. */
final class Draft {

    Watch watch;
    final Instant now;
    private final List<Event> events = new ArrayList<>();
    private final List<Effect> effects = new ArrayList<>();
    private final List<Step.Settled> settled = new ArrayList<>();

    Draft(Watch watch, Instant now) {
        this.watch = watch;
        this.now = now;
    }

    String id() {
        return watch.id();
    }

    void event(Event.Type type, String message, Map<String, Object> data) {
        events.add(Event.of(id(), now, type, message, data));
    }

    void event(Event.Type type, String message) {
        event(type, message, Map.of());
    }

    void effect(Effect effect) {
        effects.add(effect);
    }

    void settle(String effect, Answer answer) {
        settled.add(new Step.Settled(effect, answer));
    }

    Step moved() {
        return new Step.Moved(watch, events, effects, settled);
    }
}
