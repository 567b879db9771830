package dev.watchdog.release;

import dev.watchdog.evaluation.RuleState;
import dev.watchdog.incident.Escalator;
import dev.watchdog.incident.Incident;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.release.Release.State;
import dev.watchdog.release.Release.Verdict;
import dev.watchdog.store.Change;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open releases, kept in memory and written through to the store. Every change goes through
 * {@link #save}: memory first (so that later decisions see it), then the store, and only when the
 * store has it does the returned future complete, so that effects follow durable decisions. Used
 * from one event-loop context.
 */
public final class Releases {

    private static final Logger LOG = LoggerFactory.getLogger(Releases.class);

    private final Vertx vertx;
    private final Store store;
    private final WatchdogMetrics metrics;
    private final Clock clock;
    private final Map<String, Release> open = new LinkedHashMap<>();
    private final Map<String, Map<String, RuleState>> rules = new HashMap<>();
    private final Map<String, Incident> incidents = new HashMap<>();
    private final Map<String, List<Promise<Release>>> waiters = new HashMap<>();

    public Releases(Vertx vertx, Store store, WatchdogMetrics metrics, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Loads the open releases and their rule states from the store, after a start or a crash. */
    public Future<List<Release>> restore() {
        return store.open().compose(list -> Future.all(list.stream()
                        .map(r -> store.ruleStates(r.id()).compose(states -> store.incident(r.id()).map(incident -> {
                            open.put(r.id(), r);
                            rules.put(r.id(), new LinkedHashMap<>(states));
                            incident.ifPresent(i -> incidents.put(r.id(), i));
                            return r;
                        }))).toList()))
                .map(all -> {
                    metrics.openReleases(open.values());
                    rules.forEach((id, states) -> states.values().forEach(s -> metrics.rule(open.get(id), s)));
                    return List.copyOf(open.values());
                });
    }

    /** Registers a release; an open one for the same service and environment is superseded. */
    public Future<Release> register(Registration registration, RegistrationRules check) {
        Instant now = clock.instant();
        Release release = check.apply(registration, now);
        List<Future<List<Event>>> writes = new ArrayList<>();
        for (Release older : List.copyOf(open.values())) {
            if (older.state().watched() && older.service().equals(release.service())
                    && older.environment().equals(release.environment())) {
                Release superseded = older.supersededBy(release.id(), now);
                writes.add(save(new Change(superseded, List.of(), endIncident(older.id(), "superseded", now), List.of(),
                        List.of(Event.of(superseded, now, "superseded",
                                "superseded by " + release.id() + " (" + release.version() + ")",
                                Map.of("by", release.id()))))));
            }
        }
        writes.add(save(release, List.of(), List.of(Event.of(release, now, "registered",
                "watching " + release.service() + " " + release.version() + " in " + release.environment()
                        + " for " + dev.watchdog.config.Durations.format(release.window())))));
        return Future.all(writes).map(x -> release);
    }

    /** Validates a registration against the config and rules in force. */
    @FunctionalInterface
    public interface RegistrationRules {
        Release apply(Registration registration, Instant now);
    }

    /** Ends a watched release early as healthy. */
    public Future<Release> finish(String id, String who, String reason) {
        return end(id, who, reason, State.PASSED, "finished");
    }

    /** Cancels a watched release: no verdict. */
    public Future<Release> cancel(String id, String who, String reason) {
        return end(id, who, reason, State.CANCELLED, "cancelled");
    }

    private Future<Release> end(String id, String who, String reason, State state, String type) {
        return get(id).compose(current -> {
            if (!current.state().watched()) {
                return Future.failedFuture(ReleaseException.conflict(
                        "release " + id + " is " + current.state().label() + ", not watched"));
            }
            Instant now = clock.instant();
            Release ended = current.withState(state, now);
            if (state == State.PASSED && ended.verdict() == null) {
                ended = ended.withVerdict(Verdict.HEALTHY);
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("by", who);
            if (reason != null) {
                data.put("reason", reason);
            }
            Release saved = ended;
            return save(new Change(ended, List.of(), endIncident(id, type, now), List.of(),
                            List.of(Event.of(ended, now, type, type + " by " + who, data))))
                    .map(x -> saved);
        });
    }

    /** The release's open incident resolved, quietly, because its watch ended; null if it has none. */
    private Incident endIncident(String releaseId, String why, Instant now) {
        Incident current = incidents.get(releaseId);
        return current == null || current.status() == Incident.Status.RESOLVED ? null
                : Escalator.ended(current, why, now).incident();
    }

    public Future<List<Event>> save(Release release, Collection<RuleState> changed, List<Event> events) {
        return save(new Change(release, changed, null, List.of(), events));
    }

    /**
     * Records a change: memory now, the store next. The future completes once the store has it; a
     * store failure is logged and fails the future, so that no effect follows it.
     */
    public Future<List<Event>> save(Change change) {
        Release release = change.release();
        if (release.state().open()) {
            open.put(release.id(), release);
            Map<String, RuleState> states = rules.computeIfAbsent(release.id(), k -> new LinkedHashMap<>());
            change.rules().forEach(s -> states.put(s.rule(), s));
            change.rules().forEach(s -> metrics.rule(release, s));
            if (change.incident() != null) {
                incidents.put(release.id(), change.incident());
            }
        } else if (open.remove(release.id()) != null) {
            rules.remove(release.id());
            incidents.remove(release.id());
            metrics.ended(release);
        }
        metrics.openReleases(open.values());
        metrics.incidents(incidents.values());
        return store.write(change)
                .onFailure(e -> LOG.error("store write failed release={} error=\"{}\"", release.id(), e.getMessage()))
                .andThen(ar -> {
                    if (ar.succeeded() && release.judged()) {
                        wake(release);
                    }
                });
    }

    /** The current incident of an open release (open or resolved), as it stands now. */
    public Optional<Incident> liveIncident(String releaseId) {
        return Optional.ofNullable(incidents.get(releaseId));
    }

    /** The latest incident of any release. */
    public Future<Optional<Incident>> incident(String releaseId) {
        Incident live = incidents.get(releaseId);
        return live != null ? Future.succeededFuture(Optional.of(live)) : store.incident(releaseId);
    }

    /** A release still open, as it stands now. */
    public Optional<Release> current(String id) {
        return Optional.ofNullable(open.get(id));
    }

    /** Every release being watched now. */
    public List<Release> watched() {
        return open.values().stream().filter(r -> r.state().watched()).toList();
    }

    /** Every open release, rollbacks in flight included. */
    public List<Release> openReleases() {
        return List.copyOf(open.values());
    }

    /** The latest rule states of a release. */
    public Future<Map<String, RuleState>> ruleStates(String id) {
        Map<String, RuleState> live = rules.get(id);
        return live != null ? Future.succeededFuture(Map.copyOf(live)) : store.ruleStates(id);
    }

    /** The rule states of an open release, for the evaluator: empty if it is not open. */
    public Map<String, RuleState> liveRuleStates(String id) {
        return rules.getOrDefault(id, Map.of());
    }

    public Future<Release> get(String id) {
        Release live = open.get(id);
        if (live != null) {
            return Future.succeededFuture(live);
        }
        return store.release(id).compose(r -> r.map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(ReleaseException.notFound(id))));
    }

    public Future<List<Release>> list(State state, int limit) {
        return store.releases(state, limit);
    }

    /** Every notification of a release and what became of it. */
    public Future<List<dev.watchdog.incident.Notification>> notifications(String id) {
        return get(id).compose(r -> store.notifications(id));
    }

    public Future<List<Event>> events(String id) {
        return get(id).compose(r -> store.events(id));
    }

    /** The release once it is judged, or as it stands when {@code wait} runs out. */
    public Future<Release> awaitJudged(String id, Duration wait) {
        return get(id).compose(release -> {
            if (release.judged() || wait.isZero()) {
                return Future.succeededFuture(release);
            }
            Promise<Release> promise = Promise.promise();
            waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(promise);
            long timer = vertx.setTimer(wait.toMillis(), t -> {
                List<Promise<Release>> list = waiters.getOrDefault(id, new ArrayList<>());
                list.remove(promise);
                get(id).onSuccess(promise::tryComplete).onFailure(promise::tryFail);
            });
            return promise.future().andThen(ar -> vertx.cancelTimer(timer));
        });
    }

    private void wake(Release release) {
        List<Promise<Release>> list = waiters.remove(release.id());
        if (list != null) {
            list.forEach(p -> p.tryComplete(release));
        }
    }
}
