package dev.watchdog.action;

import dev.watchdog.config.Receiver.Alertmanager;
import dev.watchdog.config.Receiver.Channel;
import dev.watchdog.config.Receiver.GitHub;
import dev.watchdog.config.Receiver.Grafana;
import dev.watchdog.config.Receiver.Slack;
import dev.watchdog.config.Receiver.Telegram;
import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig.Webhook;
import dev.watchdog.core.Json;
import dev.watchdog.core.Secret;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notification;
import dev.watchdog.machine.Answer;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.metrics.WatchdogMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to their receivers. Each receiver has its own queue, paced by its
 * minInterval, so that a slow or failing receiver never holds up the others. Each kind of receiver
 * gets the request it takes. Used from one event-loop context.
 */
public final class Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final Duration RECEIVER_TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final WebhookSender sender;
    private final GitHubIssues issues;
    private final Supplier<Map<String, Receiver>> receivers;
    private final WatchdogMetrics metrics;
    private final Clock clock;
    private final Map<String, Future<?>> queues = new HashMap<>();
    private final Map<String, Long> lastSentNanos = new HashMap<>();

    /**
     * {@code receivers}: the receivers in force, read at each delivery. {@code reports}: a release's
     * incident report by its id, for the receivers that file it.
     */
    public Notifier(Vertx vertx, WebhookSender sender, Supplier<Map<String, Receiver>> receivers, WatchdogMetrics metrics,
                    Clock clock, Function<String, Future<String>> reports) {
        this.vertx = vertx;
        this.sender = sender;
        this.issues = new GitHubIssues(vertx, sender, reports);
        this.receivers = receivers;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Delivers after those queued before it for the same receiver; asks {@code wanted} before each attempt. */
    public Future<Answer> deliver(Notification n, Supplier<Future<Boolean>> wanted) {
        Receiver receiver = receivers.get().get(n.receiver());
        if (receiver == null) {
            return Future.succeededFuture(new Answer(OutboxEntry.Status.FAILED, 0, 0,
                    "no receiver '" + n.receiver() + "' in the config"));
        }
        Future<?> tail = queues.getOrDefault(n.receiver(), Future.succeededFuture());
        Future<Answer> next = tail.transform(x -> pace(n.receiver(), receiver.minInterval()))
                .compose(x -> send(n, receiver, wanted))
                .andThen(x -> lastSentNanos.put(n.receiver(), System.nanoTime()))
                .map(d -> answered(n, d));
        queues.put(n.receiver(), next);
        return next;
    }

    /** Sends a firing alert again, so that Alertmanager does not resolve it by itself; no retries beyond the receiver's. */
    public Future<Void> resend(Notification n) {
        Receiver receiver = receivers.get().get(n.receiver());
        if (receiver == null) {
            return Future.succeededFuture();
        }
        return send(n, receiver, () -> Future.succeededFuture(true))
                .onSuccess(d -> metrics.notification(n.receiver(), d.delivered() ? "resent" : "failed"))
                .mapEmpty();
    }

    private Future<WebhookSender.Delivery> send(Notification n, Receiver r, Supplier<Future<Boolean>> wanted) {
        if (r.channel() instanceof GitHub g) {
            return issues.file(n, g, r.retry(), wanted);
        }
        List<WebhookSender.Post> posts = posts(n, r, wanted);
        return posts.size() == 1 ? sender.deliver(posts.get(0)) : cluster(posts);
    }

    /**
     * Every Alertmanager of a cluster is posted to at once, each with its own retries; delivered when
     * any one took it, as Prometheus counts it: they share alerts by gossip.
     */
    private Future<WebhookSender.Delivery> cluster(List<WebhookSender.Post> posts) {
        List<Future<WebhookSender.Delivery>> all = posts.stream().map(sender::deliver).toList();
        return Future.all(all).map(x -> {
            List<WebhookSender.Delivery> answers = all.stream().map(Future::result).toList();
            int attempts = answers.stream().mapToInt(WebhookSender.Delivery::attempts).max().orElse(0);
            WebhookSender.Delivery first = answers.stream().filter(WebhookSender.Delivery::delivered).findFirst()
                    .orElse(answers.get(0));
            boolean dropped = answers.stream().allMatch(WebhookSender.Delivery::dropped);
            String error = first.delivered() ? null : answers.stream().map(WebhookSender.Delivery::error)
                    .filter(java.util.Objects::nonNull).distinct().reduce((a, b) -> a + "; " + b).orElse(null);
            return new WebhookSender.Delivery(first.delivered(), attempts, first.status(), error, dropped);
        });
    }

    private Answer answered(Notification n, WebhookSender.Delivery d) {
        OutboxEntry.Status status = d.dropped() ? OutboxEntry.Status.DROPPED
                : d.delivered() ? OutboxEntry.Status.SENT : OutboxEntry.Status.FAILED;
        metrics.notification(n.receiver(), status.label());
        if (status == OutboxEntry.Status.FAILED) {
            LOG.warn("receiver failing receiver={} key={} attempts={} error=\"{}\"", n.receiver(), n.key(), d.attempts(),
                    d.error());
        }
        return new Answer(status, d.attempts(), d.status(), d.error());
    }

    /** Waits until the receiver's minInterval has passed since its last delivery ended. */
    private Future<Void> pace(String receiver, Duration minInterval) {
        Long last = lastSentNanos.get(receiver);
        long waitMillis = last == null ? 0 : minInterval.toMillis() - (System.nanoTime() - last) / 1_000_000;
        return waitMillis > 0 ? vertx.timer(waitMillis).mapEmpty() : Future.succeededFuture();
    }

    /** The HTTP request each kind of receiver takes. */
    WebhookSender.Post post(Notification n, Receiver r, Supplier<Future<Boolean>> wanted) {
        Message m = n.message();
        Channel channel = r.channel();
        Function<String, WebhookSender.Post> plain = json -> new WebhookSender.Post(kind(channel), url(channel),
                Map.of(), null, RECEIVER_TIMEOUT, r.retry(), n.key(), Buffer.buffer(json), wanted);
        if (channel instanceof Slack) {
            return plain.apply(Payloads.slack(m).encode());
        } else if (channel instanceof Telegram t) {
            return plain.apply(new JsonObject().put("chat_id", t.chatId()).put("text", Payloads.telegramText(m))
                    .put("disable_web_page_preview", true).encode());
        } else if (channel instanceof Alertmanager a) {
            return alertmanager(n, r, a, a.url(), wanted);
        } else if (channel instanceof Grafana g) {
            return new WebhookSender.Post("grafana", url(channel), Map.of("Authorization", bearer(g.token())), null,
                    RECEIVER_TIMEOUT, r.retry(), n.key(), Buffer.buffer(Payloads.annotation(n).encode()), wanted);
        }
        Webhook w = (Webhook) channel;
        JsonObject body = new JsonObject().put("type", "notification").put("kind", n.kind().label()).put("key", n.key())
                .put("release", m.releaseId()).put("incident", n.incidentId()).put("message", new JsonObject(Json.write(m)));
        return new WebhookSender.Post("webhook", w.url(), Map.of(), w.secret(), w.timeout(), r.retry(), n.key(),
                Buffer.buffer(body.encode()), wanted);
    }

    /** The requests a notification takes: one per Alertmanager of a cluster, one otherwise. */
    List<WebhookSender.Post> posts(Notification n, Receiver r, Supplier<Future<Boolean>> wanted) {
        if (r.channel() instanceof Alertmanager a) {
            return a.urls().stream().map(url -> alertmanager(n, r, a, url, wanted)).toList();
        }
        return List.of(post(n, r, wanted));
    }

    private WebhookSender.Post alertmanager(Notification n, Receiver r, Alertmanager a, String url,
                                            Supplier<Future<Boolean>> wanted) {
        Message m = n.message();
        Buffer body = Buffer.buffer(Payloads.alerts(m, n.createdAt(), m.firing() ? null : clock.instant()).encode());
        return new WebhookSender.Post("alertmanager", url + "/api/v2/alerts", a.headers(), null, RECEIVER_TIMEOUT, r.retry(),
                n.key(), body, wanted);
    }

    private static String kind(Channel c) {
        return c instanceof Slack ? "slack" : c instanceof Telegram ? "telegram" : c instanceof Alertmanager
                ? "alertmanager" : c instanceof Grafana ? "grafana" : "webhook";
    }

    static Secret bearer(Secret token) {
        return new Secret("Bearer " + token.value());
    }

    private static String url(Channel c) {
        if (c instanceof Slack s) {
            return s.url().value();
        } else if (c instanceof Telegram t) {
            return t.apiUrl() + "/bot" + t.token().value() + "/sendMessage";
        } else if (c instanceof Grafana g) {
            return g.url() + "/api/annotations";
        }
        return ((Webhook) c).url();
    }
}
