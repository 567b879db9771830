package dev.watchdog.action;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.machine.Answer;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Machine;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.receiver.Webhook;
import dev.watchdog.store.Leadership;
import dev.watchdog.store.Store.Command;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs the effects that steps stored, and feeds each one's answer back to its release as an
 * input. An effect left pending by a crash, or stored by another replica, is performed when
 * {@link #resume} finds it, with the same key. Used from one event-loop context.
 */
public final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    /** An effect given up because this replica no longer leads its shard: left pending for the leader now. */
    private static final class NotLeading extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotLeading() {
            super("no longer the leader", null, false, false);
        }
    }
    /** An answer that cannot be stored is tried again every second for two minutes. */
    private static final int ANSWER_TRIES = 120;
    private static final Duration ANSWER_RETRY = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Store store;
    private final Runner runner;
    private final Notifier notifier;
    private final WebhookSender sender;
    private final Supplier<WatchdogConfig> config;
    private final WatchdogMetrics metrics;
    private final Leadership leadership;
    private final Silences silences;
    private final Set<String> inFlight = new HashSet<>();
    private final List<Promise<Void>> idle = new ArrayList<>();
    private boolean acting = true;

    /** {@code leadership}: which releases' effects this replica performs, and the fence each is claimed under. */
    public Outbox(Vertx vertx, Store store, Runner runner, Notifier notifier, WebhookSender sender, Silences silences,
                  Supplier<WatchdogConfig> config, WatchdogMetrics metrics, Leadership leadership) {
        this.vertx = vertx;
        this.leadership = leadership;
        this.silences = silences;
        this.store = store;
        this.runner = runner;
        this.notifier = notifier;
        this.sender = sender;
        this.config = config;
        this.metrics = metrics;
    }

    /** Performs each entry of a shard this replica leads that is not already under way here. */
    public void perform(List<OutboxEntry> entries) {
        for (OutboxEntry e : entries) {
            Leadership.Fence fence = leadership.fenceFor(e.releaseId());
            if (acting && fence != null && inFlight.add(e.id())) {
                perform(e, fence);
            }
        }
    }

    /** Performs what is stored but not yet answered: after a start, or what another replica stored. */
    public Future<Integer> resume() {
        return store.pending().map(pending -> {
            metrics.outboxPending(pending);
            perform(pending);
            return pending.size();
        });
    }

    /** No new effect starts; those under way stay pending in the store and are resumed by whoever acts next. */
    public void stop() {
        acting = false;
    }

    /**
     * Completes once no effect is under way here: each answered and its answer stored. A stop waits
     * for it, so that an effect performed just before is not performed again after the restart.
     */
    public Future<Void> idle() {
        if (inFlight.isEmpty()) {
            return Future.succeededFuture();
        }
        Promise<Void> promise = Promise.promise();
        idle.add(promise);
        return promise.future();
    }

    private void done(String id) {
        inFlight.remove(id);
        if (inFlight.isEmpty()) {
            List.copyOf(idle).forEach(Promise::tryComplete);
            idle.clear();
        }
    }

    /** Claims and performs an entry; its shard is not handed over to another replica meanwhile. */
    private void perform(OutboxEntry entry, Leadership.Fence fence) {
        leadership.during(fence, () -> store.claim(entry.id(), fence)
                        .compose(claimed -> claimed ? performClaimed(entry, fence) : Future.<Void>succeededFuture()))
                .onComplete(x -> done(entry.id()));
    }

    /** Still leading under the fence it was claimed under: checked before every attempt. */
    private boolean leads(OutboxEntry entry, Leadership.Fence fence) {
        return acting && fence.equals(leadership.fenceFor(entry.releaseId()));
    }

    /**
     * Performs a claimed effect, each kind with its retry policy, all through the one attempt loop,
     * which asks before every attempt whether this replica still leads under the fence the effect
     * was claimed with (and, for a page, whether it is still wanted).
     */
    private Future<Void> performClaimed(OutboxEntry entry, Leadership.Fence fence) {
        Effect effect = entry.effect();
        Supplier<Future<Boolean>> ours = () -> Future.succeededFuture(leads(entry, fence));
        Future<Input> answered;
        if (effect instanceof Effect.Notify n) {
            answered = notifier.deliver(n.notification(), () -> !leads(entry, fence) ? Future.succeededFuture(false)
                            : store.watch(entry.releaseId()).map(w -> Machine.wanted(w.orElse(null), n.notification())))
                    .compose(a -> stillLed(a, entry, fence)).map(a -> new Input.NotificationAnswered(n.notification(), a));
        } else if (effect instanceof Effect.CallRollback call) {
            answered = rollback(call, ours).compose(a -> stillLed(a, entry, fence))
                    .map(a -> new Input.RollbackAnswered(call.id(), a));
        } else {
            answered = silences.perform(effect, () -> ours.get().map(led -> led ? Optional.empty()
                            : Optional.of(new WebhookSender.Delivery(false, 0, 0, "no longer the leader", true))))
                    .map(Outbox::answer).compose(a -> stillLed(a, entry, fence))
                    .map(a -> new Input.SilenceAnswered(effect.id(), a));
        }
        // An answer is a fact any replica may record: kept trying while the store is away, so that an
        // effect done is not done again by the next leader. Only an effect given up because this replica
        // stopped leading is left pending, for the leader now.
        return answered.compose(input -> store(entry, input, ANSWER_TRIES))
                .onFailure(e -> LOG.warn("effect left pending key={} why=\"{}\"", entry.id(),
                        e instanceof NotLeading ? "no longer the leader" : "its answer could not be stored"));
    }

    /** An effect dropped because this replica stopped leading stays pending, for the leader now. */
    private Future<Answer> stillLed(Answer a, OutboxEntry entry, Leadership.Fence fence) {
        return a.status() == OutboxEntry.Status.DROPPED && !leads(entry, fence) ? Future.failedFuture(new NotLeading())
                : Future.succeededFuture(a);
    }

    /** A delivery as the outbox records it. */
    static Answer answer(WebhookSender.Delivery d) {
        return new Answer(d.dropped() ? OutboxEntry.Status.DROPPED : d.delivered() ? OutboxEntry.Status.SENT
                : OutboxEntry.Status.FAILED, d.attempts(), d.status(), d.error());
    }

    private Future<Void> store(OutboxEntry entry, Input answer, int tries) {
        return runner.apply(List.of(new Command(entry.releaseId(), answer))).<Void>mapEmpty()
                .recover(e -> tries <= 1 || !acting ? Future.failedFuture(e)
                        : vertx.timer(ANSWER_RETRY.toMillis()).compose(x -> store(entry, answer, tries - 1)));
    }

    private Future<Answer> rollback(Effect.CallRollback call, Supplier<Future<Boolean>> stillOurs) {
        WatchdogConfig.Rollback target = config.get().rollback().get(call.target());
        if (target == null) {
            return Future.succeededFuture(new Answer(OutboxEntry.Status.FAILED, 0, 0,
                    "no rollback target '" + call.target() + "' in the config"));
        }
        LOG.info("rollback called release={} key={}", call.releaseId(), call.key());
        metrics.rollback("requested");
        Webhook hook = target.webhook();
        return sender.deliver("rollback", hook, call.key(), Buffer.buffer(call.body()), stillOurs).map(d -> {
            if (d.delivered()) {
                metrics.rollback("succeeded");
                LOG.info("rollback delivered release={} attempts={}", call.releaseId(), d.attempts());
            } else if (!d.dropped()) {
                metrics.rollback("failed");
                LOG.warn("rollback failed release={} attempts={} error=\"{}\"", call.releaseId(), d.attempts(), d.error());
            }
            return answer(d);
        });
    }
}
