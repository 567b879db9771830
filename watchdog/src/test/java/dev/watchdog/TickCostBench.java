package dev.watchdog;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: what one tick of a fleet costs, in-process and on a test clock, so that
 * nothing but ticks runs while it is measured. The daemon on SQLite watches N releases of distinct
 * services with FleetBench's 20 select rules (10 with an offset baseline), FleetBench's Prometheus
 * answering at once (10,000 series per answer for 10,000 releases). The releases are registered while
 * that Prometheus answers no series; after warm-up ticks, each measured tick is timed (wall and this
 * process's CPU) and the bytes every thread allocated during it are summed; after the last, what the
 * heap keeps between ticks (after {@code System.gc()}). Run with
 * {@code mvn -B -o test -Dtest=TickCostBench -Dsurefire.failIfNoSpecifiedTests=false}
 * (options: -Dbench.releases=10000 -Dbench.ticks=6 -Dbench.warmup=3, and -Dbench.series=N for answers of N
 * series, more than the releases judged, as a replica reads the whole fleet's).
 */
class TickCostBench {

    final int releases = Integer.getInteger("bench.releases", 10_000);
    final int ticks = Integer.getInteger("bench.ticks", 6);
    final int warmup = Integer.getInteger("bench.warmup", 3);
    final int series = Integer.getInteger("bench.series", releases);

    /** One tick's cost. */
    record Cost(double wallSeconds, double cpuSeconds, double allocatedMiB) {}

    @Test
    void measure() throws Exception {
        Vertx vertx = Vertx.vertx();
        FleetPrometheus prometheus = new FleetPrometheus(vertx, Math.max(series, releases), "none").start();
        Path dir = Files.createTempDirectory("tickcost");
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
        Daemon daemon = new Daemon(vertx, dir, clock, prometheus.url(), "http://127.0.0.1:1/rollback",
                FleetBench.rules(true, 10), "metrics: {ruleSeries: notOk}\n");
        // A fleet's answers take longer than the test config's 2 s to read on a busy machine.
        Path config = dir.resolve("watchdog.yml");
        Files.writeString(config, Files.readString(config).replace("timeout: 2s}", "timeout: 10s}"));
        try {
            daemon.start();
            long started = System.nanoTime();
            prometheus.quiet(true);
            for (int i = 0; i < releases; i++) {
                daemon.register(new JsonObject().put("service", "svc-" + i).put("version", "1.0." + i)
                        .put("environment", "production").put("window", "24h"));
            }
            prometheus.quiet(false);
            System.out.printf("TICKCOST %d releases registered in %.0f s%n", releases, (System.nanoTime() - started) / 1e9);
            List<Cost> costs = new ArrayList<>();
            for (int t = 0; t < warmup + ticks; t++) {
                if (t == warmup) {
                    // For a profile's events: those of the measured ticks are from here on.
                    System.out.printf("TICKCOST measured ticks from %s%n", Instant.now());
                }
                clock.advance(Duration.ofSeconds(15));
                Cost cost = tick(daemon);
                System.out.printf("TICKCOST tick %d%s: %.2f s wall, %.2f s CPU, %.0f MiB allocated%n", t,
                        t < warmup ? " (warm-up)" : "", cost.wallSeconds(), cost.cpuSeconds(), cost.allocatedMiB());
                if (t >= warmup) {
                    costs.add(cost);
                }
            }
            System.out.printf("%nTICKCOST %d releases, 20 select rules, %d ticks: median %.2f s wall, %.2f s CPU,"
                    + " %.0f MiB allocated per tick%n", releases, ticks, median(costs, Cost::wallSeconds),
                    median(costs, Cost::cpuSeconds), median(costs, Cost::allocatedMiB));
            System.gc();
            System.out.printf("TICKCOST heap after a full collection between ticks: %.0f MiB (with the fake Prometheus's"
                    + " answers)%n", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (double) (1 << 20));
        } finally {
            daemon.stop();
            prometheus.close();
            vertx.close().await();
        }
    }

    static Cost tick(Daemon daemon) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long allocated = allocated();
        long wall = System.nanoTime();
        daemon.tick();
        return new Cost((System.nanoTime() - wall) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9,
                (allocated() - allocated) / (double) (1 << 20));
    }

    /** Bytes allocated so far by this JVM's live threads (the daemon's event loop and workers among them). */
    static long allocated() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    static double median(List<Cost> costs, java.util.function.ToDoubleFunction<Cost> figure) {
        List<Double> values = new ArrayList<>(costs.stream().map(figure::applyAsDouble).toList());
        Collections.sort(values);
        return values.get(values.size() / 2);
    }
}
