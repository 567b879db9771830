package dev.watchdog;

import dev.watchdog.action.Decisions;
import dev.watchdog.action.Notifier;
import dev.watchdog.action.Rollbacks;
import dev.watchdog.action.WebhookSender;
import dev.watchdog.api.Api;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.evaluation.Evaluator;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.release.Registration;
import dev.watchdog.release.Release;
import dev.watchdog.release.Releases;
import dev.watchdog.rules.RuleFiles;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.SqliteStore;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon: loads rules and the store, restores open releases, serves the API, and ticks. */
public final class Watchdog extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    private final WatchdogConfig config;
    private final Path configDir;
    private final Clock clock;
    private final boolean autoTick;
    private final WatchdogMetrics metrics = new WatchdogMetrics();

    private volatile RuleSet rules;
    private volatile boolean ready;
    private Store store;
    private Rollbacks rollbacks;
    private Decisions decisions;
    private Notifier notifier;
    private Releases releases;
    private Evaluator evaluator;
    private HttpServer server;
    private long tickTimer = -1;

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
                    return SqliteStore.open(vertx, configDir.resolve(config.storage().path()));
                })
                .compose(opened -> {
                    store = opened;
                    wire();
                    return releases.restore();
                })
                .compose(restored -> notifier.resume())
                .compose(resumed -> {
                    resumeRollbacks();
                    Api api = new Api(releases, decisions, () -> rules, this::validate, metrics, () -> ready, this::reload);
                    return vertx.createHttpServer()
                            .requestHandler(api.router(vertx, config.server()))
                            .listen(config.server().port(), config.server().host());
                })
                .onSuccess(listening -> {
                    server = listening;
                    ready = true;
                    LOG.info("watchdog ready listen={}:{} rules={} open_releases={}", config.server().host(),
                            listening.actualPort(), rules.rules().size(), releases.openReleases().size());
                    if (autoTick) {
                        scheduleTick(0);
                    }
                });
    }

    private void wire() {
        releases = new Releases(vertx, store, metrics, clock);
        WebhookSender sender = new WebhookSender(vertx, clock, new SecureRandom()::nextDouble, metrics);
        notifier = new Notifier(vertx, sender, store, config, metrics, clock, releases::liveIncident, () -> rules);
        rollbacks = new Rollbacks(releases, sender, config.rollback(), notifier, metrics, clock);
        decisions = new Decisions(releases, rollbacks, notifier, clock);
        PrometheusClient prometheus = new PrometheusClient(vertx, config.prometheus(), metrics);
        evaluator = new Evaluator(releases, () -> rules, prometheus, rollbacks, notifier,
                name -> config.escalation().getOrDefault(name, WatchdogConfig.Policy.SILENT), metrics, clock,
                config.evaluation());
    }

    private void resumeRollbacks() {
        for (Release release : releases.openReleases()) {
            if (release.state() == Release.State.ROLLING_BACK) {
                rollbacks.resume(release);
            }
        }
    }

    private Release validate(Registration registration, Instant now) {
        return registration.toRelease(now, config.evaluation().defaultWindow(), config.rollback().keySet(),
                config.escalation().keySet(), rules.variables());
    }

    /** Evaluates once at the clock's now, on the daemon's own context: for tests that move the clock. */
    public Future<Void> tick() {
        // A promise carries the result back across contexts; the tick itself must run on ours.
        Promise<Void> done = Promise.promise();
        context.runOnContext(x -> evaluator.tick().onComplete(done));
        return done.future();
    }

    /** A tick, then the next one an interval after this one began: a slow tick delays, never piles up. */
    private void scheduleTick(long delayMillis) {
        tickTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
            long started = System.nanoTime();
            Duration interval = rules.shortestInterval(config.evaluation().interval());
            evaluator.tick().onComplete(ar -> {
                if (ar.failed()) {
                    LOG.error("tick failed", ar.cause());
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

    @Override
    public Future<?> stop() {
        ready = false;
        vertx.cancelTimer(tickTimer);
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.compose(x -> store == null ? Future.succeededFuture() : store.close());
    }
}
