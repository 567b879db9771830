package dev.watchdog.store;

import dev.watchdog.evaluation.RuleState;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where every decision is kept, so that it survives a restart. Each write is one transaction. */
public interface Store {

    /** Writes a release, the rule states that changed and new events, all or nothing; returns the events with their seq. */
    Future<List<Event>> write(Release release, Collection<RuleState> rules, List<Event> events);

    /** Releases, newest first; {@code state} null for all. */
    Future<List<Release>> releases(Release.State state, int limit);

    Future<Optional<Release>> release(String id);

    /** Releases still open: watched, or with a rollback in flight. */
    Future<List<Release>> open();

    Future<Map<String, RuleState>> ruleStates(String releaseId);

    Future<List<Event>> events(String releaseId);

    Future<Void> close();
}
