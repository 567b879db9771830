package dev.watchdog.cli;

import dev.watchdog.Watchdog;
import dev.watchdog.config.ConfigException;
import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code watchdog run}: the daemon. */
@Command(name = "run", description = {"Run the watchdog daemon until SIGTERM or SIGINT (an orderly stop: exit 0).",
            "The log goes to stderr: text, or JSON with logging: {format: json} in the config or WATCHDOG_LOG_FORMAT=json;",
            "WATCHDOG_LOG_LEVEL sets its level (default INFO)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped in order", "1:cannot start: the config has problems, or the port or the store cannot be opened",
            "64:usage error", "70:internal error"})
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    HelpOption help;

    @Option(names = {"-c", "--config"}, defaultValue = "watchdog.yml", description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        ConfigLoader loader = new ConfigLoader();
        WatchdogConfig cfg;
        try {
            cfg = loader.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        LogFormat.fromConfig(cfg.logging().format());
        // It runs as it did, but says what 'watchdog check' refuses: a short token, a receiver that cannot deliver.
        ConfigPolicy.problems(cfg).forEach(p -> LOG.warn("config: {} (watchdog check refuses this)", p));
        if (LOG.isDebugEnabled()) {
            LOG.debug("config (secrets masked):\n{}", loader.print(cfg));
        }
        Vertx vertx = Vertx.vertx();
        Path dir = ConfigLoader.directory(config);
        String deployment;
        Watchdog watchdog = new Watchdog(() -> loader.load(config), dir, Clock.systemUTC(), true);
        try {
            deployment = vertx.deployVerticle(watchdog).await();
        } catch (RuntimeException e) {
            System.err.println("watchdog: cannot start: " + e.getMessage());
            vertx.close().await();
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        if (!(Signals.on("TERM", stop::countDown) && Signals.on("INT", stop::countDown))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopOrderly(vertx, deployment)));
        }
        Signals.on("HUP", watchdog::reload);
        stop.await();
        stopOrderly(vertx, deployment);
        return 0;
    }

    /** Stops taking requests, answers those in flight, finishes the store's writes, then closes. */
    private static void stopOrderly(Vertx vertx, String deployment) {
        LOG.info("watchdog stopping");
        vertx.undeploy(deployment).await();
        vertx.close().await();
        LOG.info("watchdog stopped");
    }
}
