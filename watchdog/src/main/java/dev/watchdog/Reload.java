package dev.watchdog;

import dev.watchdog.config.ConfigException;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.rules.RuleFiles;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the config file and its rule files again (SIGHUP, POST /-/reload). All or nothing: a file
 * with a problem is refused, and so is a config that would take escalation from a release the
 * watchdog holds (its policy removed; a receiver its open incident pages removed; a rule its open
 * incident counts removed or renamed, which would read as a recovery), each named with what is
 * missing. What only a restart can change is kept, and named.
 */
public final class Reload {

    private static final Logger LOG = LoggerFactory.getLogger(Reload.class);

    /** Config keys read once at start, each with how to read it from the config: a change waits for a restart. */
    static final Map<String, Function<WatchdogConfig, Object>> START_ONLY = startOnly();
    /** The server's keys a reload puts in force at once: read at each request. */
    static final Set<String> SERVER_RELOADED = Set.of("tokens", "externalUrl", "proxy");

    private final Vertx vertx;
    private final Supplier<WatchdogConfig> source;
    private final Path configDir;
    private final Store store;
    private final WatchdogMetrics metrics;

    /** What a reload put in force, and what waits for a restart. */
    public record Reloaded(WatchdogConfig config, RuleSet rules, List<String> restartNeeded) {

        /** As POST /-/reload answers: how many rules are in force, and what needs a restart. */
        public JsonObject summary() {
            return new JsonObject().put("rules", rules.rules().size()).put("restartNeeded", new JsonArray(restartNeeded));
        }
    }

    /** {@code source} reads the config file (a ConfigException on a problem); rule patterns are relative to {@code configDir}. */
    Reload(Vertx vertx, Supplier<WatchdogConfig> source, Path configDir, Store store, WatchdogMetrics metrics) {
        this.vertx = vertx;
        this.source = source;
        this.configDir = configDir;
        this.store = store;
        this.metrics = metrics;
    }

    /** The config and rules to put in force instead of {@code inForce}'s, or a failure saying why not. */
    Future<Reloaded> read(WatchdogConfig inForce) {
        return vertx.executeBlocking(() -> {
                    WatchdogConfig next = source.get();
                    return new Reloaded(next, RuleFiles.load(configDir, next.rules()),
                            restartNeeded(inForce, next));
                })
                .compose(next -> store.held().map(held -> keepsEscalation(held, next)))
                .onComplete(ar -> {
                    metrics.reloaded(ar.succeeded());
                    if (ar.failed()) {
                        LOG.warn("reload refused; the config in force stays error=\"{}\"", ar.cause().getMessage());
                    }
                });
    }

    private static Reloaded keepsEscalation(List<Watch> held, Reloaded next) {
        List<String> lost = escalationLost(held, next.config(), next.rules());
        if (!lost.isEmpty()) {
            throw new ConfigException("reload refused, the config in force stays: " + String.join("; ", lost));
        }
        return next;
    }

    /**
     * What the next config and rules would take from the releases held: for each, in their order,
     * the policy it escalates by if removed; for an incident not yet resolved, the receivers its
     * ladder pages and the rules it counts, if removed. Pure.
     */
    static List<String> escalationLost(List<Watch> held, WatchdogConfig next, RuleSet nextRules) {
        List<String> lost = new ArrayList<>();
        for (Watch w : held) {
            Release r = w.release();
            String release = "release " + r.id() + " (" + r.service() + " " + r.version() + " in " + r.environment() + ")";
            if (!next.escalation().containsKey(r.policy())) {
                lost.add(release + " escalates by policy '" + r.policy() + "', which the new config removes");
            }
            Incident inc = w.incident();
            if (inc == null || inc.status() == Incident.Status.RESOLVED) {
                continue;
            }
            String incident = "incident " + inc.id() + " of " + release;
            Set<String> receivers = new TreeSet<>(inc.policy() == null ? Set.of() : inc.policy().receiverNames());
            receivers.removeAll(next.receivers().keySet());
            receivers.forEach(name -> lost.add(incident + " pages receiver '" + name + "', which the new config removes"));
            RuleSet rules = nextRules.forRelease(r);
            inc.rules().keySet().stream().filter(name -> rules.byName(name).isEmpty()).sorted()
                    .forEach(name -> lost.add(incident + " counts rule '" + name + "', which the new rule files no longer"
                            + " have for it (renamed? its breach would read as a recovery)"));
        }
        return lost;
    }

    /** The start-only keys whose value differs, in the order of {@link #START_ONLY}. */
    static List<String> restartNeeded(WatchdogConfig inForce, WatchdogConfig next) {
        return START_ONLY.entrySet().stream()
                .filter(e -> !Objects.equals(e.getValue().apply(inForce), e.getValue().apply(next)))
                .map(Map.Entry::getKey).toList();
    }

    private static Map<String, Function<WatchdogConfig, Object>> startOnly() {
        Map<String, Function<WatchdogConfig, Object>> keys = new LinkedHashMap<>();
        keys.put("server.listen", c -> c.server().listen());
        keys.put("server.replica", c -> String.valueOf(c.server().replica()));
        keys.put("server.maxBodyBytes", c -> c.server().maxBodyBytes());
        keys.put("server.limits", c -> c.server().limits());
        keys.put("server.tls_server_config", c -> String.valueOf(c.server().tls()));
        keys.put("storage", WatchdogConfig::storage);
        keys.put("logging", WatchdogConfig::logging);
        keys.put("metrics", WatchdogConfig::metrics);
        return keys;
    }
}
