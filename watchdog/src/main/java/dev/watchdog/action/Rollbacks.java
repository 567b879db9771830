package dev.watchdog.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.Json;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.incident.Escalator;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notification;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import dev.watchdog.release.Release.State;
import dev.watchdog.release.Release.Verdict;
import dev.watchdog.release.Releases;
import dev.watchdog.release.RollbackRecord;
import dev.watchdog.release.RollbackRecord.Reason;
import dev.watchdog.store.Change;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every rollback takes. A release is rolled back at most once: the request is stored
 * before the webhook is called, and a release that has one is never asked again. A request stored
 * but not answered (the daemon died in between) is sent again at start with the same
 * {@code Idempotency-Key}, so that the deployer can tell it is the same rollback.
 */
public final class Rollbacks {

    private static final Logger LOG = LoggerFactory.getLogger(Rollbacks.class);

    private final Releases releases;
    private final WebhookSender sender;
    private final Map<String, WatchdogConfig.Rollback> targets;
    private final Notifier notifier;
    private final WatchdogMetrics metrics;
    private final Clock clock;

    public Rollbacks(Releases releases, WebhookSender sender, Map<String, WatchdogConfig.Rollback> targets,
                     Notifier notifier, WatchdogMetrics metrics, Clock clock) {
        this.releases = releases;
        this.sender = sender;
        this.targets = targets;
        this.notifier = notifier;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Asks for the release's rollback, unless one was asked for already; completes when it is answered. */
    public Future<Release> request(Release release, Reason reason, String triggeredBy) {
        if (release.rollback() != null) {
            return Future.succeededFuture(release);
        }
        Instant now = clock.instant();
        Release requested = release.withRollback(RollbackRecord.requested(release.id(), reason, triggeredBy, now))
                .withState(State.ROLLING_BACK, now);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("rule", reason.rule());
        data.put("severity", reason.severity());
        data.put("value", reason.value());
        data.put("threshold", reason.threshold());
        data.put("by", triggeredBy);
        LOG.info("rollback requested release={} service={} rule={} value={} threshold=\"{}\" by={}",
                release.id(), release.service(), reason.rule(), reason.value(), reason.threshold(), triggeredBy);
        metrics.rollback("requested");
        return releases.save(requested, List.of(), List.of(Event.of(requested, now, "rollback_requested",
                        "rollback requested: " + reason.rule() + " " + reason.severity(), data)))
                .compose(x -> send(requested));
    }

    /** Sends again a rollback that was stored but never answered: after a restart. */
    public Future<Release> resume(Release release) {
        if (release.state() != State.ROLLING_BACK || release.rollback() == null || release.rollback().answered()) {
            return Future.succeededFuture(release);
        }
        LOG.info("rollback resumed after restart release={} key={}", release.id(), release.rollback().key());
        return send(release);
    }

    private Future<Release> send(Release release) {
        RollbackRecord record = release.rollback();
        WatchdogConfig.Rollback target = targets.get(release.rollbackTarget());
        if (target == null) {
            return answer(release, new WebhookSender.Delivery(false, 0, 0,
                    "no rollback target '" + release.rollbackTarget() + "' in the config"));
        }
        return sender.deliver("rollback", target.webhook(), record.key(), body(release))
                .compose(delivery -> answer(release, delivery));
    }

    private Future<Release> answer(Release release, WebhookSender.Delivery delivery) {
        Instant now = clock.instant();
        RollbackRecord answered = release.rollback().answered(delivery.delivered(), delivery.attempts(),
                delivery.error(), now);
        Release done = release.withRollback(answered)
                .withState(delivery.delivered() ? State.ROLLED_BACK : State.ROLLBACK_FAILED, now)
                .withVerdict(delivery.delivered() ? Verdict.ROLLED_BACK : Verdict.FAILED);
        String outcome = delivery.delivered() ? "succeeded" : "failed";
        metrics.rollback(outcome);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("attempts", delivery.attempts());
        data.put("status", delivery.status());
        if (delivery.error() != null) {
            data.put("error", delivery.error());
        }
        if (delivery.delivered()) {
            LOG.info("rollback delivered release={} attempts={}", release.id(), delivery.attempts());
        } else {
            LOG.error("rollback failed release={} attempts={} error=\"{}\"", release.id(), delivery.attempts(), delivery.error());
        }
        List<Event> events = new ArrayList<>();
        events.add(Event.of(done, now, "rollback_" + outcome,
                "rollback " + outcome + " after " + delivery.attempts() + " attempt(s)", data));
        // Whoever heard of the incident hears how the rollback ended; a failure, every level.
        Incident incident = releases.liveIncident(release.id()).filter(i -> i.status() != Incident.Status.RESOLVED)
                .orElse(null);
        Escalator.Step step = incident == null ? null : Escalator.rollbackAnswered(incident, delivery.delivered(), now);
        List<Notification> notifications = step == null ? List.of() : notifier.prepare(done, step.incident(), step.notices());
        if (step != null) {
            step.notices().forEach(n -> events.add(Event.notice(done, n, now)));
        }
        return releases.save(new Change(done, List.of(), step == null ? null : step.incident(), notifications, events))
                .onSuccess(x -> notifier.send(notifications))
                .map(x -> done);
    }

    /** The contract's rollback body; {@code at} is when it was requested, the same on every attempt. */
    static Buffer body(Release release) {
        RollbackRecord record = release.rollback();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", "rollback");
        ObjectNode described = Json.MAPPER.valueToTree(release);
        described.remove("rollback");
        body.set("release", described);
        body.set("reason", Json.MAPPER.valueToTree(record.reason()));
        body.put("triggeredBy", record.triggeredBy());
        body.put("at", record.requestedAt().toString());
        return Buffer.buffer(Json.write(body));
    }
}
