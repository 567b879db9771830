package dev.watchdog;

import dev.watchdog.demo.DemoService;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealAlertmanager;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealPrometheus;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: how long after a P0 breach becomes visible in Prometheus the rollback
 * webhook is called, with the breach starting at a random phase of the watchdog's tick; beside it,
 * the same breach through the usual path, a Prometheus alerting rule with the same {@code for} and an
 * Alertmanager with {@code group_wait: 1s} calling a webhook. And the idle daemon's resident memory.
 * Run with {@code mvn -B verify -Dit.test=DetectionBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}
 * (options: -Dbench.runs, -Dbench.interval, -Dbench.for, -Dbench.seed).
 */
class DetectionBench {

    static final String EXPR = "sum(rate(http_requests_total{service=\"demo\",status=~\"5..\"}[5s]))"
            + " / sum(rate(http_requests_total{service=\"demo\"}[5s]))";
    final int runs = Integer.getInteger("bench.runs", 10);
    final String interval = System.getProperty("bench.interval", "1s");
    final String hold = System.getProperty("bench.for", "2s");
    final Random random = new Random(Long.getLong("bench.seed", 20261121L));

    @Test
    void measure() throws Exception {
        Path dir = Path.of("target", "bench");
        RealStack.deleteRecursively(dir);
        Vertx vertx = Vertx.vertx();
        DemoService service = new DemoService(vertx, body -> { }).start("127.0.0.1", 0).await();
        WebhookRecorder recorder = new WebhookRecorder(vertx).start();
        RealAlertmanager alertmanager = RealAlertmanager.routingTo(recorder.url("/am"), dir.resolve("alertmanager"));
        RealPrometheus prometheus = prometheusWithRule(dir.resolve("prometheus"), service.port(), alertmanager.url());
        RealDaemon daemon = RealDaemon.start(dir.resolve("daemon"), prometheus.url(), recorder.url("/rollback"), null,
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
            LockSupport.parkNanos(Duration.ofSeconds(10).toNanos());
            long idleRss = rssKiB(daemon.pid());
            List<Long> watchdog = new ArrayList<>();
            List<Long> anchor = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                long[] both = oneRun(run, daemon, service, recorder, prometheus);
                watchdog.add(both[0]);
                anchor.add(both[1]);
            }
            long afterRss = rssKiB(daemon.pid());
            print("watchdog", watchdog);
            print("prometheus-rule+alertmanager", anchor);
            System.out.printf("MEMORY idle daemon RSS=%d KiB (%.1f MiB), after %d releases RSS=%d KiB (%.1f MiB), heap cap -Xmx256m%n",
                    idleRss, idleRss / 1024.0, runs, afterRss, afterRss / 1024.0);
        } finally {
            daemon.stop();
            prometheus.stop();
            alertmanager.stop();
            vertx.close().await();
        }
    }

    private void print(String path, List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("%nDETECTION path=%s interval=%s for=%s runs=%d breach-visible-to-webhook ms: median=%d max=%d"
                + " min=%d all=%s%n", path, interval, hold, sorted.size(), sorted.get((sorted.size() - 1) / 2),
                sorted.get(sorted.size() - 1), sorted.get(0), ms);
    }

    /** A Prometheus scraping the demo service every second, with the same rule as an alert for Alertmanager. */
    private RealPrometheus prometheusWithRule(Path dir, int servicePort, String alertmanagerUrl) throws Exception {
        Files.createDirectories(dir);
        Path rules = Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: bench
                    rules:
                      - alert: DemoErrorRate
                        expr: %s > 0.05
                        for: %s
                """.formatted(EXPR, hold));
        RealPrometheus prometheus = RealPrometheus.withConfig("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: ['%s']
                alerting:
                  alertmanagers: [{static_configs: [{targets: ['%s']}]}]
                scrape_configs:
                  - job_name: demo
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(rules.toAbsolutePath(), alertmanagerUrl.replace("http://", ""), servicePort), dir);
        Poll.until(Duration.ofSeconds(30), "Prometheus to scrape the demo service", () -> prometheus.query("up")
                .contains("\"1\"]"));
        return prometheus;
    }

    /**
     * Registers a release and waits for it to be judged ok, then, at a random phase of the tick,
     * breaks the service: the time from the breach being visible to the rollback webhook, and to
     * Alertmanager's webhook for the same breach.
     */
    private long[] oneRun(int run, RealDaemon daemon, DemoService service, WebhookRecorder recorder,
                          RealPrometheus prometheus) {
        service.errorRatio(0);
        Poll.until(Duration.ofSeconds(60), "the error ratio to fall back to 0, and the alert to resolve",
                () -> ratio(prometheus) == 0.0 && !prometheus.query("ALERTS{alertname=\"DemoErrorRate\"}").contains("firing"));
        String id = daemon.register(new JsonObject().put("service", "demo").put("version", "1." + run + ".0")
                .put("environment", "bench").put("window", "1h"));
        Poll.until(Duration.ofSeconds(30), "an ok evaluation",
                () -> daemon.get("/api/v1/releases/" + id).contains("\"outcome\":\"ok\""));
        LockSupport.parkNanos(Duration.ofMillis(random.nextInt(1000)).toNanos());
        int rollbacks = recorder.calls("/rollback").size();
        int alerts = recorder.calls("/am").size();
        service.errorRatio(0.2);
        Instant visible = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while ((recorder.calls("/rollback").size() == rollbacks || firing(recorder, alerts) == null)
                && System.nanoTime() < deadline) {
            if (visible == null && ratio(prometheus) > 0.05) {
                visible = Instant.now();
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        Instant called = recorder.calls("/rollback").get(rollbacks).at();
        Instant alerted = firing(recorder, alerts);
        Instant seen = visible == null ? called : visible;
        long[] ms = {Duration.between(seen, called).toMillis(), Duration.between(seen, alerted).toMillis()};
        System.out.printf("run %d: breach visible %s, rollback webhook +%d ms, alertmanager webhook +%d ms%n", run, seen,
                ms[0], ms[1]);
        return ms;
    }

    /** When Alertmanager's webhook first got a firing notification after the first {@code from} calls. */
    private static Instant firing(WebhookRecorder recorder, int from) {
        return recorder.calls("/am").stream().skip(from).filter(c -> c.body().contains("\"status\":\"firing\""))
                .map(WebhookRecorder.Call::at).findFirst().orElse(null);
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
