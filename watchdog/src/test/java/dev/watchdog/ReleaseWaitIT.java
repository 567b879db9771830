package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealStack;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The CLI from the built jar against the real daemon and a real Prometheus, as a deploy script
 * runs it: every exit code it can give, and {@code release wait} carrying on across a restart.
 */
class ReleaseWaitIT {

    static final Path DIR = Path.of("target", "it", "release-wait").toAbsolutePath();
    static final AtomicInteger RUNS = new AtomicInteger();

    static RealStack stack;
    static RealDaemon daemon;

    @BeforeAll
    static void start() {
        RealStack.deleteRecursively(DIR);
        stack = RealStack.start(DIR);
        daemon = RealDaemon.start(DIR.resolve("daemon"), stack.prometheus.url(), stack.recorder.url("/rollback"), null,
                "1s", RollbackIT.RULES, """
                receivers:
                  team: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [team]}]
                    announce: [team]
                """.formatted(stack.recorder.url("/team")));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.stop();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    /** {@code java -jar watchdog.jar ARGS} with a token, started; its log holds stdout and stderr. */
    static RealProcess cli(String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", daemon.url()));
        return RealProcess.watchdog(all, Map.of("WATCHDOG_TOKEN", token),
                DIR.resolve("cli-" + RUNS.incrementAndGet() + "-" + args[1] + ".log"));
    }

    /** Whether the process holds an established TCP connection to this port (from /proc: Linux only). */
    static boolean connected(long pid, int port) {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            List<String> sockets = fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (java.io.IOException e) {
                    return "";
                }
            }).filter(link -> link.startsWith("socket:[")).map(link -> link.substring(8, link.length() - 1)).toList();
            String remote = String.format(":%04X", port);
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[2].endsWith(remote) && f[3].equals("01") && sockets.contains(f[9])) {
                        return true;
                    }
                }
            }
            return false;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static String register(String version) {
        return daemon.register(new JsonObject().put("service", "demo").put("version", version)
                .put("environment", "it-" + version).put("window", "1h").put("bake", "1h"));
    }

    @Test
    @DisplayName("wait outlives a daemon killed with -9: it tries again until the daemon is back, then exits 0 on the verdict")
    void waitAcrossRestart() {
        String id = register("2.0.0");
        RealProcess waiter = cli(RealDaemon.VIEWER_TOKEN, "release", "wait", id, "--timeout", "3m");
        Poll.until(Duration.ofSeconds(30), "the waiter's long poll to be open",
                () -> connected(waiter.pid(), Integer.parseInt(daemon.url().replaceAll(".*:", ""))));
        daemon.kill9();
        Poll.until(Duration.ofSeconds(30), "the waiter to notice", () -> waiter.log().contains("trying again"));
        assertTrue(waiter.alive(), waiter.log());
        daemon.restart();
        assertEquals(200, daemon.call("POST", "/api/v1/releases/" + id + "/finish", RealDaemon.TOKEN, "{}").status());
        assertEquals(0, waiter.exitCode(60), waiter.log());
        assertTrue(waiter.log().contains("watchdog release wait: cannot reach the watchdog at " + daemon.url()
                + ": connection "), waiter.log());
        assertTrue(waiter.log().endsWith(id + ": state passed, verdict healthy\n"), waiter.log());
    }

    @Test
    @DisplayName("a release of a service with no series at all: unjudged at the bake, wait exits 4 saying why, and nobody hears 'All clear'")
    void unjudged() {
        String id = daemon.register(new JsonObject().put("service", "no-such-service").put("version", "1.0.0")
                .put("environment", "it-unjudged").put("window", "1h").put("bake", "3s"));
        RealProcess wait = cli(RealDaemon.VIEWER_TOKEN, "release", "wait", id, "--timeout", "60s");
        assertEquals(4, wait.exitCode(90), wait.log());
        assertTrue(wait.log().contains(id + ": state watching, verdict unjudged"), wait.log());
        assertTrue(wait.log().contains("no rule had anything to judge"), wait.log());
        Poll.until(Duration.ofSeconds(10), "the team to hear it", () -> kinds(id).contains("unjudged"));
        assertEquals(List.of("watching", "unjudged"), kinds(id));
    }

    /** The kinds of the messages the team got about a release, in order. */
    static List<String> kinds(String id) {
        return stack.recorder.calls("/team").stream().map(c -> new JsonObject(c.body()))
                .filter(b -> id.equals(b.getString("release"))).map(b -> b.getString("kind")).toList();
    }

    @Test
    @DisplayName("from the jar: 0 healthy, 1 rolled back, 2 undecided, 3 unreachable, 64 a mistyped duration, 70 a fault")
    void everyExitCode() throws Exception {
        String healthy = register("2.1.0");
        assertEquals(200, daemon.call("POST", "/api/v1/releases/" + healthy + "/finish", RealDaemon.TOKEN, "{}").status());
        assertEquals(0, cli(RealDaemon.VIEWER_TOKEN, "release", "wait", healthy, "--timeout", "10s").exitCode(60));

        String rolledBack = register("2.2.0");
        RealProcess rollback = cli(RealDaemon.ONCALL_TOKEN, "release", "rollback", rolledBack, "--reason", "login broken");
        assertEquals(0, rollback.exitCode(60), rollback.log());
        RealProcess wait1 = cli(RealDaemon.VIEWER_TOKEN, "release", "wait", rolledBack, "--timeout", "30s");
        assertEquals(1, wait1.exitCode(60), wait1.log());

        String watching = register("2.3.0");
        RealProcess wait2 = cli(RealDaemon.VIEWER_TOKEN, "release", "wait", watching, "--timeout", "1s");
        assertEquals(2, wait2.exitCode(60), wait2.log());

        RealProcess wait3 = RealProcess.watchdog(List.of("release", "wait", watching, "--timeout", "1s", "--url",
                "http://127.0.0.1:" + RealProcess.freePort()), Map.of(), DIR.resolve("unreachable.log"));
        assertEquals(3, wait3.exitCode(60), wait3.log());

        RealProcess wait64 = cli(RealDaemon.VIEWER_TOKEN, "release", "wait", watching, "--timeout", "45min");
        assertEquals(64, wait64.exitCode(60), wait64.log());
        assertTrue(wait64.log().contains("did you mean 45m?"), wait64.log());

        Path agent = Files.writeString(DIR.resolve("agent.yml"), """
                secret: not-used
                journal: journal.db
                actions:
                  - {name: a, match: {service: api}, steps: [{name: s, command: ["true"]}]}
                """);
        Files.writeString(DIR.resolve("journal.db"), "no SQLite here ".repeat(300));
        RealProcess fault = RealProcess.watchdog(List.of("agent", "journal", "--config", agent.toString()), Map.of(),
                DIR.resolve("fault.log"));
        assertEquals(70, fault.exitCode(60), fault.log());
        assertEquals(1, fault.log().lines().count(), "one line, no stack trace: " + fault.log());
    }
}
