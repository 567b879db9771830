package dev.watchdog;

import dev.watchdog.demo.DemoService;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealPrometheus;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: how long after a P0 breach becomes visible in Prometheus the rollback
 * webhook is called, over several runs; and the resident memory of an idle daemon. Run with
 * {@code mvn -B verify -Dit.test=DetectionBench} (options: -Dbench.runs, -Dbench.interval, -Dbench.for).
 */
class DetectionBench {

    static final String EXPR = "sum(rate(http_requests_total{service=\"demo\",status=~\"5..\"}[5s]))"
            + " / sum(rate(http_requests_total{service=\"demo\"}[5s]))";
    final int runs = Integer.getInteger("bench.runs", 10);
    final String interval = System.getProperty("bench.interval", "1s");
    final String hold = System.getProperty("bench.for", "0s");

    @Test
    void measure() throws Exception {
        Path dir = Path.of("target", "bench");
        RealStack stack = RealStack.start(dir);
        DemoService service = stack.service;
        WebhookRecorder deployer = stack.recorder;
        RealPrometheus prometheus = stack.prometheus;
        RealDaemon daemon = RealDaemon.start(dir.resolve("daemon"), prometheus.url(), deployer.url("/rollback"), null,
                interval, """
                groups:
                  - name: bench
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: sum(rate(http_requests_total{service="{{service}}",status=~"5.."}[5s])) / sum(rate(http_requests_total{service="{{service}}"}[5s]))
                        p0: "> 0.05"
                        for: %s
                """.formatted(hold));
        try {
            Poll.until(Duration.ofSeconds(30), "traffic in Prometheus", () -> ratio(prometheus) == 0.0);
            // Let the JVM settle before reading its idle footprint.
            LockSupport.parkNanos(Duration.ofSeconds(20).toNanos());
            long idleRss = rssKiB(daemon.pid());
            List<Long> latencies = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                latencies.add(oneRun(run, daemon, service, deployer, prometheus));
            }
            long afterRss = rssKiB(daemon.pid());
            Collections.sort(latencies);
            System.out.printf("%nDETECTION interval=%s for=%s runs=%d breach-visible-to-webhook ms: median=%d max=%d min=%d all=%s%n",
                    interval, hold, runs, latencies.get((latencies.size() - 1) / 2), latencies.get(latencies.size() - 1),
                    latencies.get(0), latencies);
            System.out.printf("MEMORY idle daemon RSS=%d KiB (%.1f MiB), after %d releases RSS=%d KiB (%.1f MiB), heap cap -Xmx256m%n",
                    idleRss, idleRss / 1024.0, runs, afterRss, afterRss / 1024.0);
        } finally {
            daemon.stop();
            stack.stop();
        }
    }

    /** Registers a release, waits for it to be judged ok, breaks the service, and times the rollback. */
    private long oneRun(int run, RealDaemon daemon, DemoService service, WebhookRecorder deployer, RealPrometheus prometheus) {
        service.errorRatio(0);
        Poll.until(Duration.ofSeconds(30), "the error ratio to fall back to 0", () -> ratio(prometheus) == 0.0);
        String id = daemon.register(new JsonObject().put("service", "demo").put("version", "1." + run + ".0")
                .put("environment", "bench").put("window", "1h"));
        Poll.until(Duration.ofSeconds(30), "an ok evaluation",
                () -> daemon.get("/api/v1/releases/" + id).contains("\"outcome\":\"ok\""));
        int before = deployer.calls.size();
        service.errorRatio(0.2);
        Instant visible = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (deployer.calls.size() == before && System.nanoTime() < deadline) {
            if (visible == null && ratio(prometheus) > 0.05) {
                visible = Instant.now();
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        Instant called = deployer.calls.get(before).at();
        if (visible == null || visible.isAfter(called)) {
            visible = called;
        }
        long ms = Duration.between(visible, called).toMillis();
        System.out.printf("run %d: breach visible %s, webhook %s: %d ms%n", run, visible, called, ms);
        return ms;
    }

    private static double ratio(RealPrometheus prometheus) {
        Matcher m = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"]").matcher(prometheus.query(EXPR));
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static long rssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
