package dev.watchdog;

import dev.watchdog.action.Alerts;
import dev.watchdog.action.Notifier;
import dev.watchdog.action.Outbox;
import dev.watchdog.action.Runner;
import dev.watchdog.action.Silences;
import dev.watchdog.action.WebhookSender;
import dev.watchdog.api.Api;
import dev.watchdog.api.Integrations;
import dev.watchdog.api.Listener;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.core.Version;
import dev.watchdog.evaluation.Evaluator;
import dev.watchdog.machine.Context;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.release.Registration;
import dev.watchdog.report.Reports;
import dev.watchdog.rules.RuleFiles;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.Leadership;
import dev.watchdog.store.PostgresLeadership;
import dev.watchdog.store.PostgresStore;
import dev.watchdog.store.SqliteStore;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
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

    private final Supplier<WatchdogConfig> source;
    private final Path configDir;
    private volatile WatchdogConfig config;
    private volatile Evaluator evaluator;
    private final Clock clock;
    private final boolean autoTick;
    private final WatchdogMetrics metrics;

    private final String replica;

    private volatile RuleSet rules;
    private volatile boolean ready;
    private volatile boolean storeReachable = true;
    private Store store;
    private Leadership leadership;
    private Runner runner;
    private Outbox outbox;
    private Schedule schedule;
    private Reload reloads;
    private Listener server;
    private long storeTimer = -1;

    /**
     * {@code source} reads the config file (again at each reload; it throws ConfigException on a
     * problem); rule file patterns are relative to {@code configDir}. Optional: autoTick (true),
     * false where a test drives {@link #tick()} with its own clock.
     */
    // start() wires the store, runner, outbox and the rest before anything reaches them; stop() checks each.
    @SuppressWarnings("NullAway.Init")
    public Watchdog(Supplier<WatchdogConfig> source, Path configDir, Clock clock, boolean autoTick) {
        this.source = source;
        this.config = source.get();
        this.metrics = new WatchdogMetrics(config.metrics().ruleSeries());
        this.configDir = configDir;
        this.clock = clock;
        this.autoTick = autoTick;
        this.replica = replicaName(this.config.server());
    }

    /** The configured name; else the host and port; else (port 0, tests) the host and the process id. */
    private static String replicaName(WatchdogConfig.Server server) {
        if (server.replica() != null) {
            return server.replica();
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        // At most 40 characters in all: the name goes into PostgreSQL's application_name (63).
        String hostPart = host.length() > 28 ? host.substring(0, 28) : host;
        return hostPart + ":" + (server.port() != 0 ? String.valueOf(server.port()) : "pid" + ProcessHandle.current().pid());
    }

    @Override
    public Future<?> start() {
        return loadRules()
                .compose(loaded -> {
                    rules = loaded;
                    return openStore();
                })
                .compose(opened -> {
                    store = opened;
                    wire();
                    return leadership.start().compose(x -> outbox.resume());
                })
                .compose(led -> Listener.start(vertx, "server.limits", config.server().host(), config.server().port(),
                        config.server().limits(), config.server().tls(), configDir,
                        new Api(runner, store, () -> rules, this::validate, metrics, this::ready,
                                () -> reload().map(Reload.Reloaded::summary), this::status)
                                .with(new Integrations(vertx, runner, store, () -> config, this::validate, clock))
                                .router(vertx, clock, () -> config.server())))
                .compose(listening -> store.led(leadership.led(), leadership::shardOf).compose(led -> store.heldByState()
                        .map(counts -> {
                    server = listening;
                    ready = true;
                    metrics.held(led, counts, rules);
                    LOG.info("watchdog ready listen={}:{} replica={} rules={} held_releases={} store={}",
                            config.server().host(), listening.port(), replica, rules.rules().size(),
                            counts.values().stream().mapToLong(Long::longValue).sum(), store.kind());
                    if (autoTick) {
                        schedule.start();
                        watchStore();
                    }
                    return null;
                })));
    }

    private Future<Store> openStore() {
        WatchdogConfig.Postgres postgres = config.storage().postgres();
        return postgres == null ? SqliteStore.open(vertx, configDir.resolve(config.storage().path()), clock)
                : PostgresStore.open(vertx, postgres, replica, clock);
    }

    private void wire() {
        WebhookSender sender = new WebhookSender(vertx, clock, new SecureRandom()::nextDouble, metrics);
        Reports reports = new Reports(store);
        Notifier notifier = new Notifier(vertx, sender, () -> config.receivers(), metrics, clock,
                id -> reports.of(id, rules));
        WatchdogConfig.Postgres postgres = config.storage().postgres();
        leadership = postgres == null ? new Leadership.Solo()
                : new PostgresLeadership(vertx, postgres, replica, lease(postgres), this::led);
        runner = new Runner(vertx, store, this::context, clock, metrics);
        metrics.releasesWritten(store::releasesWritten);
        reloads = new Reload(vertx, source, configDir, store, metrics);
        outbox = new Outbox(vertx, store, runner, notifier, sender, new Silences(vertx, sender, () -> config, clock), () -> config,
                metrics, leadership);
        runner.performWith(outbox::perform);
        runner.lookBeforeWith(release -> evaluator.before(rules, release, clock.instant()));
        evaluator = evaluator(config);
        Ticker ticker = new Ticker(vertx, context, store, runner, () -> evaluator, new Alerts(notifier, this::context, clock), outbox,
                leadership, () -> rules, metrics, clock);
        schedule = new Schedule(vertx, context, ticker,
                () -> rules.shortestInterval(config.evaluation().interval()), clock);
    }

    private Evaluator evaluator(WatchdogConfig c) {
        return new Evaluator(new PrometheusClient(vertx, c.prometheus(), metrics), c.evaluation().interval());
    }

    /** How long a leader may go silent before another replica takes over: the interval, at least 2s. */
    private Duration lease(WatchdogConfig.Postgres postgres) {
        Duration interval = config.evaluation().interval();
        return postgres.lease() != null ? postgres.lease() : interval.compareTo(Duration.ofSeconds(2)) < 0
                ? Duration.ofSeconds(2) : interval;
    }

    /** Leadership changed: a shard just taken is ticked (and its outbox resumed) as soon as can be. */
    private void led(Map<Integer, Leadership.Fence> shards) {
        metrics.leader(!shards.isEmpty());
        if (ready && !shards.isEmpty()) {
            schedule.soon();
        }
    }

    /**
     * Readiness follows the store: a replica that cannot reach it answers 503 on /readyz. With several
     * replicas, the leader resumes effects that others stored (decisions taken on them) every second.
     */
    private void watchStore() {
        storeTimer = vertx.setPeriodic(1000, t -> {
            store.ping().onComplete(ar -> {
                storeReachable = ar.succeeded();
                if (ar.failed()) {
                    metrics.storeError("read");
                }
            });
            if (!leadership.led().isEmpty() && config.storage().postgres() != null) {
                outbox.resume().onFailure(e -> metrics.storeError("read"));
            }
        });
    }

    private boolean ready() {
        return ready && storeReachable;
    }

    /** Who this replica is, whether it leads, and on what store: GET /api/v1/status. */
    private Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("replica", replica);
        out.put("leader", !leadership.led().isEmpty());
        out.put("store", store.kind());
        out.put("version", Version.current());
        out.put("shards", leadership.shards());
        out.put("led", leadership.led().keySet().stream().sorted().toList());
        return out;
    }

    private Context context() {
        return new Context(config, rules);
    }

    private Release validate(Registration registration) {
        return registration.toRelease(clock.instant(), config.evaluation().defaultWindow(), config.rollback().keySet(),
                config.escalation().keySet(), release -> rules.variables(release));
    }

    /** Evaluates once at the clock's now, on the daemon's own context: for tests that move the clock. */
    public Future<Void> tick() {
        return schedule.tick();
    }

    private Future<RuleSet> loadRules() {
        return vertx.executeBlocking(() -> RuleFiles.load(configDir, config.rules()));
    }

    /**
     * Reads the config file and its rule files again (SIGHUP, POST /-/reload): all or nothing, see
     * {@link Reload}. What it puts in force takes effect at once.
     */
    public Future<Reload.Reloaded> reload() {
        Promise<Reload.Reloaded> done = Promise.promise();
        context.runOnContext(x -> reloads.read(config).map(this::apply).onComplete(done));
        return done.future();
    }

    private Reload.Reloaded apply(Reload.Reloaded loaded) {
        WatchdogConfig next = loaded.config();
        if (!next.prometheus().equals(config.prometheus()) || !next.evaluation().equals(config.evaluation())) {
            evaluator = evaluator(next);
        }
        config = next;
        rules = loaded.rules();
        LOG.info("config reloaded rules={} restart_needed={}", rules.rules().size(), loaded.restartNeeded());
        return loaded;
    }

    public int port() {
        return server.port();
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
        Future<Void> ticking = schedule == null ? Future.succeededFuture() : schedule.stop();
        vertx.cancelTimer(storeTimer);
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
                .compose(x -> leadership == null ? Future.succeededFuture() : leadership.stop())
                .transform(x -> store == null ? Future.succeededFuture() : store.close());
    }
}
