package dev.watchdog.testing;

import dev.watchdog.demo.DemoService;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the tests against real processes share: the demo service (a target whose error ratio the
 * test sets), a webhook recorder for what the watchdog sends, and a real Prometheus scraping the
 * service every second. Started once per test class.
 */
public final class RealStack {

    public final Vertx vertx;
    public final DemoService service;
    public final WebhookRecorder recorder;
    public final RealPrometheus prometheus;

    private RealStack(Vertx vertx, DemoService service, WebhookRecorder recorder, RealPrometheus prometheus) {
        this.vertx = vertx;
        this.service = service;
        this.recorder = recorder;
        this.prometheus = prometheus;
    }

    /**
     * A rule file of one rule, {@code error-rate}, over the demo service's ratio of 5xx responses
     * (a 5 s rate, for Prometheus's 1 s scrapes), with {@code settings} beneath it, one per line:
     * thresholds, {@code for}, annotations.
     */
    public static String errorRateRules(String... settings) {
        StringBuilder rules = new StringBuilder("""
                groups:
                  - name: golden-signals
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: |
                          sum(rate(http_requests_total{service="{{service}}",status=~"5.."}[5s]))
                            / sum(rate(http_requests_total{service="{{service}}"}[5s]))
                        unit: ratio
                """);
        for (String setting : settings) {
            rules.append("        ").append(setting).append('\n');
        }
        return rules.toString();
    }

    /** Starts it all in a fresh {@code dir}. */
    public static RealStack start(Path dir) {
        return start(dir, List.of());
    }

    /** As {@link #start(Path)}, with Prometheus evaluating these rule files. */
    public static RealStack start(Path dir, List<Path> ruleFiles) {
        deleteRecursively(dir);
        Vertx vertx = Vertx.vertx();
        DemoService service = new DemoService(vertx, body -> { }).start("127.0.0.1", 0).await();
        WebhookRecorder recorder = new WebhookRecorder(vertx).start();
        try {
            return new RealStack(vertx, service, recorder,
                    RealPrometheus.scraping("127.0.0.1:" + service.port(), dir.resolve("prometheus"), ruleFiles));
        } catch (RuntimeException | Error e) {
            vertx.close().await();
            throw e;
        }
    }

    public void stop() {
        prometheus.stop();
        vertx.close().await();
    }

    /** Removes a test's directory left from an earlier run (stored state such as notification logs). */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
