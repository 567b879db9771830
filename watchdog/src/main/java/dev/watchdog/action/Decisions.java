package dev.watchdog.action;

import dev.watchdog.incident.Escalator;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notification;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import dev.watchdog.release.Release.State;
import dev.watchdog.release.ReleaseException;
import dev.watchdog.release.Releases;
import dev.watchdog.release.RollbackRecord.Reason;
import dev.watchdog.store.Change;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What on-call decides about a release's incident: acknowledge, roll back, or accept. Each records
 * who (the token's name) and why, is stored, and is told to everyone paged so far.
 */
public final class Decisions {

    private final Releases releases;
    private final Rollbacks rollbacks;
    private final Notifier notifier;
    private final Clock clock;

    public Decisions(Releases releases, Rollbacks rollbacks, Notifier notifier, Clock clock) {
        this.releases = releases;
        this.rollbacks = rollbacks;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** Stops escalation and repeats for the release's incident at once. */
    public Future<Release> acknowledge(String id, String who, String reason) {
        return decide(id, who, reason, "acknowledged", (inc, now) -> Escalator.acknowledge(inc, who, reason, now), false);
    }

    /** Keeps the release; the breaches as they stand page no more. */
    public Future<Release> accept(String id, String who, String reason) {
        return decide(id, who, reason, "accepted", (inc, now) -> Escalator.accept(inc, who, reason, now), true);
    }

    /** The team decided: roll back now, as a P0 would; with or without an incident. */
    public Future<Release> rollBack(String id, String who, String reason) {
        return watched(id).compose(release -> {
            Incident incident = releases.liveIncident(id).filter(i -> i.status() != Incident.Status.RESOLVED).orElse(null);
            Reason why = Reason.of(incident);
            if (incident == null) {
                return rollbacks.request(release, why, who);
            }
            Instant now = clock.instant();
            Escalator.Step step = Escalator.rollbackDecided(incident, who, reason, now);
            return record(release, step, "rollback_decided", who, reason, now)
                    .compose(r -> rollbacks.request(r, why, who));
        });
    }

    private Future<Release> decide(String id, String who, String reason, String type,
                                   BiFunction<Incident, Instant, Escalator.Step> decision, boolean keepsRelease) {
        return watched(id).compose(release -> {
            Instant now = clock.instant();
            Escalator.Step step;
            try {
                step = decision.apply(releases.liveIncident(id).orElse(null), now);
            } catch (IllegalStateException e) {
                return Future.failedFuture(ReleaseException.conflict(e.getMessage()));
            }
            Release kept = keepsRelease && release.state() == State.DEGRADED ? release.withState(State.WATCHING, now) : release;
            return record(kept, step, type, who, reason, now);
        });
    }

    private Future<Release> record(Release release, Escalator.Step step, String type, String who, String reason,
                                   Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("by", who);
        data.put("incident", step.incident().id());
        if (reason != null) {
            data.put("reason", reason);
        }
        List<Event> events = new ArrayList<>();
        events.add(Event.of(release, now, type, type.replace('_', ' ') + " by " + who, data));
        step.notices().forEach(n -> events.add(Event.notice(release, n, now)));
        List<Notification> notifications = notifier.prepare(release, step.incident(), step.notices());
        return releases.save(new Change(release, List.of(), step.incident(), notifications, events))
                .onSuccess(x -> notifier.send(notifications))
                .map(x -> release);
    }

    private Future<Release> watched(String id) {
        return releases.get(id).compose(r -> r.state().watched() ? Future.succeededFuture(r)
                : Future.failedFuture(ReleaseException.conflict("release " + id + " is " + r.state().label() + ", not watched")));
    }
}
