package dev.watchdog.store;

import dev.watchdog.evaluation.RuleState;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notification;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import java.util.Collection;
import java.util.List;

/** One decision, written in one transaction: the release, what changed with it, and its new events. */
public record Change(Release release, Collection<RuleState> rules, Incident incident, List<Notification> notifications,
                     List<Event> events) {

    public Change {
        rules = rules == null ? List.of() : List.copyOf(rules);
        notifications = notifications == null ? List.of() : List.copyOf(notifications);
        events = events == null ? List.of() : List.copyOf(events);
    }

    public static Change of(Release release, List<Event> events) {
        return new Change(release, List.of(), null, List.of(), events);
    }
}
