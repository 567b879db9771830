package dev.watchdog.cli;

import dev.watchdog.agent.AgentConfig;
import dev.watchdog.agent.AgentServer;
import dev.watchdog.agent.Journal;
import dev.watchdog.config.ConfigException;
import dev.watchdog.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code watchdog agent}: the receiver behind the rollback webhook, and the tools for its journal. */
@Command(name = "agent",
        description = {"Run the rollback agent: it takes the watchdog's signed rollback webhook on POST /rollback",
            "and runs the action configured for the release's service and environment, once per key.",
            "Answers 2xx only when every step succeeded, 5xx when one failed (the watchdog retries)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped, or --check found no problem", "1:the config has problems, or the agent cannot start",
            "64:usage error", "70:internal error"},
        subcommands = {AgentCommand.JournalList.class, AgentCommand.Resolve.class})
final class AgentCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = {"-c", "--config"}, defaultValue = "agent.yml", description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--check", description = "Check the config, print it with secrets masked, and exit.")
    boolean check;

    @Override
    public Integer call() throws InterruptedException {
        Set<String> secretNames = ConcurrentHashMap.newKeySet();
        ConfigLoader loader = new ConfigLoader(name -> {
            secretNames.add(name);
            return System.getenv(name);
        });
        AgentConfig cfg = load(loader, config);
        if (cfg == null) {
            return 1;
        }
        if (check) {
            System.out.print(loader.print(cfg));
            return 0;
        }
        // Commands inherit the agent's environment, but not the variables the config read (its secrets).
        Map<String, String> inherited = new HashMap<>(System.getenv());
        inherited.keySet().removeAll(secretNames);
        return serve(new AgentServer(cfg, ConfigLoader.directory(config), Clock.systemUTC(), inherited));
    }

    /** Runs the agent until the process is told to stop. */
    private static int serve(AgentServer agent) throws InterruptedException {
        Vertx vertx = Vertx.vertx();
        try {
            vertx.deployVerticle(agent).await();
        } catch (RuntimeException e) {
            System.err.println("watchdog agent: cannot start: " + e.getMessage());
            vertx.close().await();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("agent stopping");
            vertx.close().await();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    static @Nullable AgentConfig load(ConfigLoader loader, Path file) {
        try {
            return loader.load(file, AgentConfig.class);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return null;
        }
    }

    /** Opens the journal beside a running agent: nothing is marked interrupted. */
    static @Nullable Journal journal(Path file) throws Exception {
        AgentConfig cfg = load(new ConfigLoader(), file);
        return cfg == null ? null : Journal.open(cfg.journalFile(ConfigLoader.directory(file)), Clock.systemUTC(), false);
    }

    @Command(name = "journal", description = "List the keys the agent has acted on, newest first, with each step.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:listed", "1:the config has problems", "64:usage error", "70:internal error"})
    static final class JournalList implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Option(names = {"-c", "--config"}, defaultValue = "agent.yml", description = "Config file (default: ${DEFAULT-VALUE}).")
        Path config;
        @Option(names = "--status", description = "Only runs in this status: running, succeeded, failed, interrupted.")
        @Nullable String status;
        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() throws Exception {
            try (Journal journal = journal(config)) {
                if (journal == null) {
                    return 1;
                }
                for (Journal.Entry e : journal.list(status == null ? null : Journal.Status.of(status), limit)) {
                    System.out.printf("%s  %-11s %s  release %s (%s, %s)  attempts %d  started %s%s%n", e.key(),
                            e.status().label(), e.action(), e.releaseId(), e.service(), e.environment(), e.attempts(),
                            e.startedAt(), e.detail() == null ? "" : "  " + e.detail());
                    e.steps().forEach(s -> System.out.printf("    %-24s %-11s%s%s%n", s.name(), s.status().label(),
                            s.exitCode() == null ? "" : " exit " + s.exitCode(), s.detail() == null ? "" : "  " + s.detail()));
                }
                return 0;
            }
        }
    }

    @Command(name = "resolve", exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:resolved", "1:the config has problems, or no interrupted run has this key", "64:usage error",
                "70:internal error"},
            description = {"Settle a run that a crash interrupted, after checking the system by hand.",
                "--done: the interrupted step is done (you finished it); --rerun: it is to run again.",
                "Either way the next call with this key (the watchdog's retry, or 'watchdog release rollback')",
                "goes on from there; steps that succeeded before are not run again."})
    static final class Resolve implements Callable<Integer> {
        @Mixin
        HelpOption help;
        @Option(names = {"-c", "--config"}, defaultValue = "agent.yml", description = "Config file (default: ${DEFAULT-VALUE}).")
        Path config;
        @Parameters(paramLabel = "KEY", description = "The Idempotency-Key, e.g. rel_01J...:rollback.")
        String key;
        @ArgGroup(exclusive = true, multiplicity = "1")
        How how;

        static final class How {
            @Option(names = "--done", description = "The interrupted step is done.") boolean done;
            @Option(names = "--rerun", description = "The interrupted step is to run again.") boolean rerun;
        }

        @Override
        public Integer call() throws Exception {
            try (Journal journal = journal(config)) {
                if (journal == null) {
                    return 1;
                }
                if (!journal.resolve(key, how.done)) {
                    System.err.println("watchdog agent: no interrupted run with key " + key);
                    return 1;
                }
                System.out.println(key + ": " + (how.done ? "interrupted step marked done" : "interrupted step will run again")
                        + "; the next call with this key goes on from there");
                return 0;
            }
        }
    }
}
