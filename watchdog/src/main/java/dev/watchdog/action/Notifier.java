package dev.watchdog.action;

import dev.watchdog.Json;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.config.WatchdogConfig.Receiver;
import dev.watchdog.evaluation.RuleState;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends stored notifications to their receivers. Each receiver has its own queue, paced by its
 * minInterval, so that a slow or failing receiver never holds up the others. What became of each
 * notification is stored, with an event on the release's timeline. Alertmanager alerts are sent
 * again every {@code resend} while they fire, so that Alertmanager does not resolve them by itself.
 * Used from one event-loop context.
 */
public final class Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final Vertx vertx;
    private final WebhookSender sender;
    private final Store store;
    private final Map<String, Receiver> receivers;
    private final WatchdogMetrics metrics;
    private final Clock clock;
    private final Function<String, Optional<Incident>> incidentOf;
    private final Supplier<RuleSet> rules;
    private final String apiBase;
    private final Map<String, Future<Void>> queues = new HashMap<>();
    private final Map<String, Long> lastSentNanos = new HashMap<>();
    private final Map<String, Firing> firing = new LinkedHashMap<>();

    /** {@code incidentOf} gives an open release's current incident; {@code rules} the rules in force. */
    public Notifier(Vertx vertx, WebhookSender sender, Store store, WatchdogConfig config, WatchdogMetrics metrics,
                    Clock clock, Function<String, Optional<Incident>> incidentOf, Supplier<RuleSet> rules) {
        this.vertx = vertx;
        this.sender = sender;
        this.store = store;
        this.receivers = config.receivers();
        this.metrics = metrics;
        this.clock = clock;
        this.incidentOf = incidentOf;
        this.rules = rules;
        this.apiBase = config.server().externalUrl();
    }

    /** Whether a notification is still wanted: a page is not, once its incident is acknowledged or over. */
    private boolean wanted(Notification n) {
        return !n.kind().paging() || incidentOf.apply(n.releaseId())
                .filter(i -> i.id().equals(n.incidentId()) && i.status() == Incident.Status.OPEN).isPresent();
    }

    /** Whether an alert is still firing: its incident is the release's current one and not resolved. */
    private boolean stillFiring(Notification n) {
        return incidentOf.apply(n.releaseId())
                .filter(i -> i.id().equals(n.incidentId()) && i.status() != Incident.Status.RESOLVED).isPresent();
    }

    /** Notifications for an incident's notices. */
    public List<Notification> prepare(Release release, Incident incident, List<Notice> notices) {
        Instant now = clock.instant();
        return prepare(release.id(), notices, n -> Messages.incident(n, incident, release, rules.get(), apiBase, now));
    }

    /** Notifications for lifecycle notices (watching, checkpoints, all clear, blind). */
    public List<Notification> prepare(Release release, Map<String, RuleState> states, List<String> summary,
                                      List<Notice> notices) {
        Instant now = clock.instant();
        return prepare(release.id(), notices, n -> Messages.release(n, release, states, rules.get(), summary, now));
    }

    /** Alertmanager takes alerts, not chatter: lifecycle messages other than a blind watch skip it. */
    public boolean takes(String receiver, Notice.Kind kind) {
        Receiver r = receivers.get(receiver);
        return r != null && (r.alertmanager() == null || kind.aboutIncident()
                || kind == Notice.Kind.BLIND || kind == Notice.Kind.SEEING);
    }

    /** One notification per receiver of each notice, ready to be stored with the change that caused them. */
    private List<Notification> prepare(String releaseId, List<Notice> notices, Function<Notice, Message> say) {
        Instant now = clock.instant();
        List<Notification> out = new ArrayList<>();
        for (Notice notice : notices) {
            Message message = say.apply(notice);
            for (String receiver : notice.receivers()) {
                if (takes(receiver, notice.kind())) {
                    out.add(Notification.pending(notice, releaseId, receiver, message, now));
                }
            }
        }
        return out;
    }

    /** Sends notifications that have been stored. */
    public void send(List<Notification> notifications) {
        notifications.forEach(this::enqueue);
    }

    /** Sends again what was stored but not sent when the daemon stopped. */
    public Future<Integer> resume() {
        return store.pendingNotifications().map(pending -> {
            pending.forEach(this::enqueue);
            return pending.size();
        });
    }

    private void enqueue(Notification n) {
        Receiver receiver = receivers.get(n.receiver());
        if (receiver == null) {
            record(n.ended(Notification.Status.FAILED, 0, "no receiver '" + n.receiver() + "' in the config", clock.instant()));
            return;
        }
        Future<Void> tail = queues.getOrDefault(n.receiver(), Future.succeededFuture());
        Future<Void> next = tail.transform(x -> pace(n.receiver(), receiver.minInterval()))
                .compose(x -> deliver(n, receiver))
                .compose(this::record)
                .recover(e -> {
                    LOG.error("notification failed key={} error=\"{}\"", n.key(), e.getMessage());
                    return Future.succeededFuture();
                });
        queues.put(n.receiver(), next);
    }

    /** Waits until the receiver's minInterval has passed since its last message. */
    private Future<Void> pace(String receiver, Duration minInterval) {
        Long last = lastSentNanos.get(receiver);
        long waitMillis = last == null ? 0 : minInterval.toMillis() - (System.nanoTime() - last) / 1_000_000;
        Future<Void> wait = waitMillis > 0 ? vertx.timer(waitMillis).mapEmpty() : Future.succeededFuture();
        return wait.andThen(x -> lastSentNanos.put(receiver, System.nanoTime()));
    }

    private Future<Notification> deliver(Notification n, Receiver r) {
        WebhookSender.Post post = post(n, r);
        return sender.deliver(post).map(d -> {
            Notification.Status status = d.dropped() ? Notification.Status.DROPPED
                    : d.delivered() ? Notification.Status.SENT : Notification.Status.FAILED;
            if (d.delivered() && r.alertmanager() != null) {
                track(n, r, post);
            }
            return n.ended(status, d.attempts(), d.error(), clock.instant());
        });
    }

    private Future<Void> record(Notification n) {
        String outcome = n.status().label();
        metrics.notification(n.receiver(), outcome);
        if (n.status() == Notification.Status.FAILED) {
            LOG.warn("receiver failing receiver={} key={} attempts={} error=\"{}\"", n.receiver(), n.key(), n.attempts(), n.error());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("receiver", n.receiver());
        data.put("kind", n.kind().label());
        data.put("key", n.key());
        data.put("attempts", n.attempts());
        if (n.error() != null) {
            data.put("error", n.error());
        }
        Event event = new Event(0, n.releaseId(), clock.instant(), "notification_" + outcome,
                n.kind().label() + " to " + n.receiver() + ": " + outcome, data);
        return store.update(n, event);
    }

    /** The HTTP request each kind of receiver takes. */
    WebhookSender.Post post(Notification n, Receiver r) {
        Message m = n.message();
        String url;
        JsonObject body;
        if (r.slack() != null) {
            url = r.slack().url().value();
            body = Payloads.slack(m);
        } else if (r.telegram() != null) {
            url = r.telegram().apiUrl() + "/bot" + r.telegram().token().value() + "/sendMessage";
            body = new JsonObject().put("chat_id", r.telegram().chatId()).put("text", Payloads.telegramText(m))
                    .put("disable_web_page_preview", true);
        } else if (r.alertmanager() != null) {
            url = r.alertmanager().url() + "/api/v2/alerts";
            return new WebhookSender.Post("alertmanager", url, null, Duration.ofSeconds(10), r.retry(), n.key(),
                    Buffer.buffer(Payloads.alerts(m, n.createdAt(), m.firing() ? null : clock.instant()).encode()),
                    () -> wanted(n));
        } else {
            url = r.webhook().url();
            body = new JsonObject().put("type", "notification").put("kind", n.kind().label()).put("key", n.key())
                    .put("release", m.releaseId()).put("incident", n.incidentId())
                    .put("message", new JsonObject(Json.write(m)));
            return new WebhookSender.Post("webhook", url, r.webhook().secret(), r.webhook().timeout(), r.retry(), n.key(),
                    Buffer.buffer(body.encode()), () -> wanted(n));
        }
        return new WebhookSender.Post(r.slack() != null ? "slack" : "telegram", url, null, Duration.ofSeconds(10),
                r.retry(), n.key(), Buffer.buffer(body.encode()), () -> wanted(n));
    }

    /** What is firing at an Alertmanager, so that it can be sent again before it resolves by itself. */
    private record Firing(Notification notification, Receiver receiver, Instant lastSent) {}

    private void track(Notification n, Receiver r, WebhookSender.Post post) {
        String key = n.receiver() + "|" + n.releaseId();
        if (n.message().firing()) {
            firing.put(key, new Firing(n, r, clock.instant()));
        } else {
            firing.remove(key);
        }
    }

    /**
     * On each tick: sends again every alert still firing whose resend interval has passed (even after
     * an ack: the condition still fires), and resolves at once those whose incident has ended without
     * a message (a finished or cancelled release).
     */
    public void resendFiring() {
        Instant now = clock.instant();
        for (Map.Entry<String, Firing> entry : List.copyOf(firing.entrySet())) {
            Firing f = entry.getValue();
            boolean still = stillFiring(f.notification());
            if (still && f.lastSent().plus(f.receiver().alertmanager().resend()).isAfter(now)) {
                continue;
            }
            Notification n = f.notification();
            Buffer body = Buffer.buffer(Payloads.alerts(n.message(), n.createdAt(), still ? null : now).encode());
            sender.deliver(new WebhookSender.Post("alertmanager", f.receiver().alertmanager().url() + "/api/v2/alerts", null,
                            Duration.ofSeconds(10), f.receiver().retry(), n.key(), body, () -> true))
                    .onSuccess(d -> metrics.notification(n.receiver(), d.delivered() ? (still ? "resent" : "sent") : "failed"));
            if (still) {
                firing.put(entry.getKey(), new Firing(n, f.receiver(), now));
            } else {
                firing.remove(entry.getKey());
            }
        }
    }
}
