package dev.watchdog.store;

import dev.watchdog.evaluation.RuleState;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notification;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where every decision is kept, so that it survives a restart. Each write is one transaction. */
public interface Store {

    /** Writes a change all or nothing; returns its events with their seq. */
    Future<List<Event>> write(Change change);

    /** Records what became of a notification, with the event that tells it. */
    Future<Void> update(Notification notification, Event event);

    /** The release's latest incident, open or not. */
    Future<Optional<Incident>> incident(String releaseId);

    /** Notifications stored but not yet sent or given up: after a restart. */
    Future<List<Notification>> pendingNotifications();

    Future<List<Notification>> notifications(String releaseId);

    /** Releases, newest first; {@code state} null for all. */
    Future<List<Release>> releases(Release.State state, int limit);

    Future<Optional<Release>> release(String id);

    /** Releases still open: watched, or with a rollback in flight. */
    Future<List<Release>> open();

    Future<Map<String, RuleState>> ruleStates(String releaseId);

    Future<List<Event>> events(String releaseId);

    Future<Void> close();
}
