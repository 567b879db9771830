package dev.watchdog.action;

import dev.watchdog.config.Receiver;
import dev.watchdog.http.Failures;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Notification;
import dev.watchdog.machine.Answer;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.receiver.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to their receivers, whatever their kind: the kind builds the requests and
 * reads the answers, the sender attempts and retries. Each receiver has its own queue, paced by its
 * minInterval, so that a slow or failing receiver never holds up the others. Used from one
 * event-loop context.
 */
public final class Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final Vertx vertx;
    private final Http http;
    private final WebhookSender sender;
    private final Supplier<Map<String, Receiver>> receivers;
    private final WatchdogMetrics metrics;
    private final Function<String, Future<String>> reports;
    private final Map<String, Future<?>> queues = new HashMap<>();
    private final Map<String, Long> lastSentNanos = new HashMap<>();

    /**
     * {@code receivers}: the receivers in force, read at each delivery. {@code reports}: a release's
     * incident report by its id, for the kinds that file it.
     */
    public Notifier(Vertx vertx, WebhookSender sender, Supplier<Map<String, Receiver>> receivers, WatchdogMetrics metrics,
                    Clock clock, Function<String, Future<String>> reports) {
        this.vertx = vertx;
        this.http = new Http(vertx);
        this.sender = sender;
        this.receivers = receivers;
        this.metrics = metrics;
        this.reports = reports;
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
                .recover(e -> Future.succeededFuture(unsent(n, e)))
                .andThen(x -> lastSentNanos.put(n.receiver(), System.nanoTime()))
                .map(d -> answered(n, d));
        queues.put(n.receiver(), next);
        return next;
    }

    /**
     * A notification that could not even be tried (its request could not be built): failed, with
     * the cause in our own words, so that it is counted and logged rather than left pending.
     */
    private static WebhookSender.Delivery unsent(Notification n, Throwable e) {
        LOG.warn("notification not sent receiver={} key={} why=\"{}\"", n.receiver(), n.key(), Failures.describe(e));
        return new WebhookSender.Delivery(false, 0, 0, "could not be sent: " + Failures.describe(e));
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
        Channel channel = r.channel();
        Future<@Nullable String> report = channel.filesReport() ? reports.apply(n.releaseId()) : Future.succeededFuture();
        return report.transform(ar -> ar.failed()
                ? Future.succeededFuture(new WebhookSender.Delivery(false, 0, 0, "the incident report could not be written"))
                : cluster(channel.requests(n, ar.result()).stream()
                        .map(request -> sender.deliver(post(n, r, request.withDeadline(r.timeout()), wanted))).toList(),
                        channel.needsEvery()));
    }

    private WebhookSender.Post post(Notification n, Receiver r, Http.Request request, Supplier<Future<Boolean>> wanted) {
        Channel channel = r.channel();
        return new WebhookSender.Post(channel.kind(), request, channel.signing(), r.retry(), n.key(),
                () -> before(n, channel, wanted), (response, clock) -> channel.read(response, clock).masking(channel.secrets()));
    }

    /** Not wanted any more: dropped. Wanted, and the kind finds it delivered before: done. Neither can be told: failed. */
    private Future<Optional<WebhookSender.Delivery>> before(Notification n, Channel channel, Supplier<Future<Boolean>> wanted) {
        return wanted.get().otherwise(true).compose(w -> !w
                ? Future.succeededFuture(Optional.of(new WebhookSender.Delivery(false, 0, 0, "no longer wanted", true)))
                : channel.deliveredBefore(n, http).transform(ar -> Future.succeededFuture(ar.failed()
                        ? Optional.of(new WebhookSender.Delivery(false, 0, 0, "could not look for a delivery made before, so"
                                + " nothing was sent: " + ar.cause().getMessage()))
                        : ar.result() ? Optional.of(new WebhookSender.Delivery(true, 0, 0, null)) : Optional.empty())));
    }

    /**
     * A notification's requests, each with its own retries: one for most kinds; for a cluster (every
     * Alertmanager of it posted to at once), delivered when any one took it, as Prometheus counts it;
     * for a kind that sends several events ({@code every}), delivered when all were taken. None: the
     * kind had nothing to send for it (a release that is not its to hear), dropped.
     */
    private Future<WebhookSender.Delivery> cluster(List<Future<WebhookSender.Delivery>> all, boolean every) {
        return Future.all(all).map(x -> {
            List<WebhookSender.Delivery> answers = all.stream().map(Future::result).toList();
            if (answers.isEmpty()) {
                return new WebhookSender.Delivery(false, 0, 0, "nothing to send for this release", true);
            }
            if (answers.size() == 1) {
                return answers.get(0);
            }
            int attempts = answers.stream().mapToInt(WebhookSender.Delivery::attempts).max().orElse(0);
            WebhookSender.Delivery first = answers.stream()
                    .filter(d -> every ? !d.delivered() : d.delivered()).findFirst()
                    .orElse(answers.get(every ? answers.size() - 1 : 0));
            boolean dropped = answers.stream().allMatch(WebhookSender.Delivery::dropped);
            String error = first.delivered() ? null : answers.stream().map(WebhookSender.Delivery::error)
                    .filter(Objects::nonNull).distinct().reduce((a, b) -> a + "; " + b).orElse(null);
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
}
