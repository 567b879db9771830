package dev.watchdog;

import dev.watchdog.action.Alerts;
import dev.watchdog.action.Notifier;
import dev.watchdog.action.Outbox;
import dev.watchdog.action.Runner;
import dev.watchdog.action.WebhookSender;
import dev.watchdog.api.Api;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.evaluation.Evaluator;
import dev.watchdog.evaluation.Evaluator.Subject;
import dev.watchdog.evaluation.Observation;
import dev.watchdog.machine.Context;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Verification;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.release.Registration;
import dev.watchdog.release.Release;
import dev.watchdog.rules.RuleFiles;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.SqliteStore;
import dev.watchdog.store.Store;
import dev.watchdog.store.Store.Command;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon: loads rules and the store, resumes the outbox, serves the API, and ticks. */
public final class Watchdog extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    /** How long a stop waits for requests in flight to be answered. */
    private static final Duration DRAIN = Duration.ofSeconds(10);
    /**
     * How long a stop waits for effects under way (a rollback call, a page) to be answered, so that an
     * answer already on its way is stored rather than the effect performed again after the restart.
     * Short: effects still under way after it stay pending and are resumed with their keys.
     */
    private static final Duration EFFECTS_GRACE = Duration.ofSeconds(1);

    private final WatchdogConfig config;
    private final Path configDir;
    private final Clock clock;
    private final boolean autoTick;
    private final WatchdogMetrics metrics = new WatchdogMetrics();

    private volatile RuleSet rules;
    private volatile boolean ready;
    private Store store;
    private Runner runner;
    private Outbox outbox;
    private Alerts alerts;
    private Evaluator evaluator;
    private HttpServer server;
    private long tickTimer = -1;
    private Future<Void> ticking = Future.succeededFuture();

    /** Optional: autoTick (true), false where a test drives {@link #tick()} with its own clock. */
    public Watchdog(WatchdogConfig config, Path configDir, Clock clock, boolean autoTick) {
        this.config = config;
        this.configDir = configDir;
        this.clock = clock;
        this.autoTick = autoTick;
    }

    @Override
    public Future<?> start() {
        return loadRules()
                .compose(loaded -> {
                    rules = loaded;
                    return SqliteStore.open(vertx, configDir.resolve(config.storage().path()), clock);
                })
                .compose(opened -> {
                    store = opened;
                    wire();
                    return outbox.resume();
                })
                .compose(resumed -> vertx.createHttpServer()
                        .requestHandler(new Api(runner, store, () -> rules, this::validate, metrics, () -> ready,
                                this::reload).router(vertx, config.server()))
                        .listen(config.server().port(), config.server().host()))
                .compose(listening -> store.held().map(held -> {
                    server = listening;
                    ready = true;
                    metrics.held(held, rules);
                    LOG.info("watchdog ready listen={}:{} rules={} held_releases={} store={}", config.server().host(),
                            listening.actualPort(), rules.rules().size(), held.size(), store.kind());
                    if (autoTick) {
                        scheduleTick(0);
                    }
                    return null;
                }));
    }

    private void wire() {
        WebhookSender sender = new WebhookSender(vertx, clock, new SecureRandom()::nextDouble, metrics);
        Notifier notifier = new Notifier(vertx, sender, config::receivers, metrics, clock);
        runner = new Runner(vertx, store, this::context, clock, metrics);
        outbox = new Outbox(store, runner, notifier, sender, () -> config, metrics, () -> 0L);
        runner.performWith(outbox::perform);
        alerts = new Alerts(notifier, this::context, clock);
        evaluator = new Evaluator(new PrometheusClient(vertx, config.prometheus(), metrics), config.evaluation().interval());
    }

    private Context context() {
        return new Context(config, rules);
    }

    private Release validate(Registration registration) {
        return registration.toRelease(clock.instant(), config.evaluation().defaultWindow(), config.rollback().keySet(),
                config.escalation().keySet(), rules.variables());
    }

    /** Evaluates once at the clock's now, on the daemon's own context: for tests that move the clock. */
    public Future<Void> tick() {
        // A promise carries the result back across contexts; the tick itself must run on ours.
        Promise<Void> done = Promise.promise();
        context.runOnContext(x -> runTick().onComplete(done));
        return done.future();
    }

    /**
     * One tick: every held release gets one input, in one transaction: what its due rules saw, if it
     * is judged now, or that time passed. Then firing alerts are resent and the outbox is resumed.
     */
    private Future<Void> runTick() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        RuleSet ruleSet = rules;
        ticking = store.held().compose(held -> {
            List<Watch> judged = held.stream().filter(Watchdog::judgedNow).toList();
            List<Subject> subjects = judged.stream().map(Watchdog::subject).toList();
            return evaluator.observe(ruleSet, subjects, now).compose(seen -> {
                List<Command> commands = new ArrayList<>();
                for (int i = 0; i < judged.size(); i++) {
                    commands.add(new Command(judged.get(i).id(), new Input.Observe(seen.get(i))));
                }
                held.stream().filter(w -> !judgedNow(w)).forEach(w -> commands.add(new Command(w.id(), new Input.Tick())));
                boolean answered = seen.stream().flatMap(m -> m.values().stream())
                        .noneMatch(o -> o instanceof Observation.Failed);
                return runner.apply(commands, now)
                        .compose(x -> subjects.isEmpty() ? evaluator.probe(now) : Future.succeededFuture(answered));
            });
        }).compose(answered -> store.held().map(held -> {
            alerts.resend(held);
            metrics.held(held, ruleSet);
            metrics.evaluated((System.nanoTime() - started) / 1e9, answered, now);
            return null;
        })).compose(x -> outbox.resume()).mapEmpty();
        return ticking;
    }

    private static boolean judgedNow(Watch w) {
        Verification v = w.verification();
        return w.release().state().watched() || (v != null && v.state() == Verification.State.PENDING
                && w.release().state() == Release.State.ROLLED_BACK);
    }

    private static Subject subject(Watch w) {
        Verification v = w.verification();
        return new Subject(w.release(), w.rules(), w.release().state().watched() ? name -> true : v.rules()::contains);
    }

    /** A tick, then the next one an interval after this one began: a slow tick delays, never piles up. */
    private void scheduleTick(long delayMillis) {
        tickTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
            long started = System.nanoTime();
            Duration interval = rules.shortestInterval(config.evaluation().interval());
            runTick().onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warn("tick failed error=\"{}\"", ar.cause().getMessage());
                }
                if (ready) {
                    scheduleTick(interval.toMillis() - (System.nanoTime() - started) / 1_000_000);
                }
            });
        });
    }

    private Future<RuleSet> loadRules() {
        return vertx.executeBlocking(() -> RuleLoader.load(RuleFiles.expand(configDir, config.rules())));
    }

    /** Reloads the rule files; on any problem the rules in force stay. */
    public Future<Integer> reload() {
        return loadRules().map(loaded -> {
            rules = loaded;
            LOG.info("rules reloaded rules={}", loaded.rules().size());
            return loaded.rules().size();
        });
    }

    public int port() {
        return server.actualPort();
    }

    /**
     * An orderly stop: no new requests, ticks or effects; requests in flight are answered (up to a
     * grace period) and effects under way have their answers stored (up to a shorter one; those still
     * under way after it stay pending in the outbox, to be resumed with their keys); the tick under way
     * finishes its store write; then the store is closed.
     */
    @Override
    public Future<?> stop() {
        ready = false;
        vertx.cancelTimer(tickTimer);
        if (outbox != null) {
            outbox.stop();
        }
        if (runner != null) {
            runner.stop();
        }
        Future<Void> drained = server == null ? Future.succeededFuture() : server.shutdown(DRAIN);
        Future<?> effects = outbox == null ? Future.succeededFuture()
                : Future.any(outbox.idle(), vertx.timer(EFFECTS_GRACE.toMillis()));
        return drained.transform(x -> ticking.transform(y -> effects.transform(z -> Future.<Void>succeededFuture())))
                .compose(x -> store == null ? Future.succeededFuture() : store.close());
    }
}
