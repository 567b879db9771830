package dev.watchdog.testing;

import dev.watchdog.demo.DemoService;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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

    /** Starts it all in a fresh {@code dir}. */
    public static RealStack start(Path dir) {
        deleteRecursively(dir);
        Vertx vertx = Vertx.vertx();
        DemoService service = new DemoService(vertx, body -> { }).start("127.0.0.1", 0).await();
        WebhookRecorder recorder = new WebhookRecorder(vertx).start();
        try {
            return new RealStack(vertx, service, recorder,
                    RealPrometheus.scraping("127.0.0.1:" + service.port(), dir.resolve("prometheus")));
        } catch (RuntimeException | Error e) {
            vertx.close().await();
            throw e;
        }
    }

    public void stop() {
        prometheus.stop();
        vertx.close().await();
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
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
