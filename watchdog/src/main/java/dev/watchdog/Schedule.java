package dev.watchdog;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When ticks run: one at a time, each an interval after the last one began (a slow tick delays,
 * never piles up), or sooner when something falls due before that: a pending rule's {@code for}
 * running out, an escalation level, the bake, the window's end. All on the daemon's context.
 */
final class Schedule {

    private static final Logger LOG = LoggerFactory.getLogger(Schedule.class);

    private final Vertx vertx;
    private final Context context;
    private final Ticker ticker;
    private final Supplier<Duration> interval;
    private final Clock clock;

    private boolean running;
    private long timer = -1;
    private boolean inProgress;
    private boolean again;
    private Future<Void> ticking = Future.succeededFuture();

    /** {@code interval}: the regular interval in force now (it changes on reload). */
    Schedule(Vertx vertx, Context context, Ticker ticker, Supplier<Duration> interval, Clock clock) {
        this.vertx = vertx;
        this.context = context;
        this.ticker = ticker;
        this.interval = interval;
        this.clock = clock;
    }

    /** Ticks from now on, by themselves. */
    void start() {
        running = true;
        schedule(0);
    }

    /** The next tick now, or right after the one under way: never two at once. */
    void soon() {
        context.runOnContext(x -> {
            if (inProgress) {
                again = true;
            } else if (running) {
                vertx.cancelTimer(timer);
                schedule(0);
            }
        });
    }

    /** One tick now (or the one under way), for tests that move the clock themselves. */
    Future<Void> tick() {
        // A promise carries the result back across contexts; the tick itself must run on ours.
        Promise<Void> done = Promise.promise();
        context.runOnContext(x -> run().onComplete(done));
        return done.future();
    }

    /** No further ticks; the answer completes when the tick under way has finished. */
    Future<Void> stop() {
        running = false;
        vertx.cancelTimer(timer);
        return ticking;
    }

    /**
     * One tick at a time: a tick reads the releases before it writes them, so two at once would
     * evaluate the same releases twice.
     */
    private Future<Void> run() {
        if (inProgress) {
            again = true;
            return ticking;
        }
        inProgress = true;
        ticking = ticker.tick().andThen(x -> inProgress = false);
        return ticking;
    }

    /**
     * The next tick in {@code delayMillis}. The one after it is due an interval after this one was due,
     * not after its timer fired: a timer that fires late (the event loop or the collector busy at that
     * moment) does not push every later tick back.
     */
    private void schedule(long delayMillis) {
        long dueAt = System.nanoTime() + Math.max(1, delayMillis) * 1_000_000;
        timer = vertx.setTimer(Math.max(1, delayMillis), id -> {
            Duration regularInterval = interval.get();
            run().transform(ar -> {
                if (ar.failed()) {
                    LOG.warn("tick failed error=\"{}\"", ar.cause().getMessage());
                }
                return ticker.nextDue(clock.instant()).otherwise((Instant) null);
            }).onComplete(due -> {
                if (running) {
                    long regular = regularInterval.toMillis() - (System.nanoTime() - dueAt) / 1_000_000;
                    // A millisecond after the due time, never before it: a tick a hair early would find nothing due.
                    long early = due.result() == null ? regular
                            : Duration.between(clock.instant(), due.result()).toMillis() + 1;
                    boolean now = again;
                    again = false;
                    LOG.debug("next tick in {} ms (regular {} ms, due {})", now ? 0 : Math.min(regular, early), regular,
                            due.result());
                    schedule(now ? 0 : Math.min(regular, early));
                }
            });
        });
    }
}
