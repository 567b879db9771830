package dev.watchdog.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rig of the daemon-level tests: the whole daemon in-process on a folder of its own, a fake
 * Prometheus, a recorder as the rollback webhook, and a clock the test moves, all fresh per test.
 */
public abstract class DaemonTest {

    protected static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    protected static Vertx vertx;

    protected FakePrometheus prometheus;
    protected WebhookRecorder deployer;
    protected MutableClock clock;
    protected Daemon daemon;

    @TempDir
    protected Path dir;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close().await();
    }

    @BeforeEach
    void startDaemon() throws Exception {
        clock = new MutableClock(T0);
        prometheus = new FakePrometheus(vertx, clock).start();
        deployer = new WebhookRecorder(vertx).start();
        prepare();
        daemon = newDaemon();
    }

    @AfterEach
    void stopDaemon() {
        daemon.stop();
        prometheus.close();
        deployer.close();
    }

    /** The rule file the daemon loads. */
    protected abstract String rules();

    /** More config sections (receivers, escalation); none by default. */
    protected String extraConfig() {
        return "";
    }

    /** Runs before the daemon starts: answers, receivers. */
    protected void prepare() throws Exception {
    }

    /** A daemon on the test's folder: a second call after {@code daemon.stop()} is a restart. */
    protected Daemon newDaemon() throws Exception {
        return new Daemon(vertx, dir, clock, prometheus.url(), deployer.url("/rollback"), rules(), extraConfig()).start();
    }

    /** One rule of a release as the API shows it. */
    protected static JsonObject rule(JsonObject release, String name) {
        return release.getJsonArray("rules").stream().map(JsonObject.class::cast)
                .filter(r -> r.getString("name").equals(name)).findFirst().orElseThrow();
    }
}
