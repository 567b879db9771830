package dev.watchdog;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealPostgres;
import dev.watchdog.testing.RealProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: daemons started by the launcher ({@code bin/watchdog run}, with its
 * default memory flags unless {@code -Dbench.javaOpts} says otherwise) from the built jar, watching
 * N releases of distinct services with 20 rules at a 15 s interval against a Prometheus that answers
 * at once. One daemon on SQLite for {@code bench.sizes}; {@code bench.replicated} releases over
 * {@code bench.replicas} replicas on a real PostgreSQL. The releases are registered while the fake
 * Prometheus answers every query with no series (so that setting up a fleet does not cost what
 * registrations ask), then ticks are measured. For each: the mean and longest tick, ticks that
 * overran, CPU seconds and bytes allocated per tick (by the daemon's threads, read over JMX), CPU
 * share of one core, heap after a full GC and the largest resident set, release rows written and
 * releases judged per tick, the time from one release's breach (P0, {@code for: 30s}) to its
 * rollback webhook, how long a whole scrape of /metrics took (one every {@code bench.scrapeEvery}
 * seconds, as Prometheus scraping at that interval; a light one of four metrics each second), and then the median of 10 registrations into
 * the fleet (new versions of its services, Prometheus answering). Run, once the jar is built, with
 * {@code mvn -B -o test -Dtest=FleetBench -Dsurefire.failIfNoSpecifiedTests=false} (options:
 * -Dbench.sizes=1000,10000 -Dbench.replicated=100000 -Dbench.replicas=3 -Dbench.shards=12
 * -Dbench.perRelease= -Dbench.ticks=8 -Dbench.baselines=10 -Dbench.scrapeEvery=15 -Dbench.javaOpts=-Xmx1g
 * -Dbench.replicaJavaOpts=-Xmx1g, and -Dbench.jar=path/to/watchdog.jar to measure another build).
 */
class FleetBench {

    static final Duration INTERVAL = Duration.ofSeconds(15);
    static final int RULES = 20;
    /** The one rule with a P0: a release whose series of it reads 5000 is rolled back 30 s on. */
    static final String P0_METRIC = "bench_metric_19_total";
    static final Duration FOR = Duration.ofSeconds(30);

    final List<Integer> sizes = ints(System.getProperty("bench.sizes", "1000,10000"));
    final List<Integer> perRelease = ints(System.getProperty("bench.perRelease", ""));
    final int replicated = Integer.getInteger("bench.replicated", 0);
    final int replicas = Integer.getInteger("bench.replicas", 3);
    final int shards = Integer.getInteger("bench.shards", 12);
    final int ticks = Integer.getInteger("bench.ticks", 8);
    final int baselines = Integer.getInteger("bench.baselines", 10);
    final int scrapeEvery = Integer.getInteger("bench.scrapeEvery", 15);
    final String ruleSeries = System.getProperty("bench.ruleSeries", "notOk");
    final String javaOpts = System.getProperty("bench.javaOpts", "");
    final String replicaJavaOpts = System.getProperty("bench.replicaJavaOpts", "-Xmx1g");
    static final Path JAR = Path.of(System.getProperty("bench.jar", "target/watchdog.jar")).toAbsolutePath();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What one run measured; per daemon figures are the largest (RSS, heap, CPU) or summed (rows, judged). */
    record Figures(String mode, int releases, int daemons, double queriesPerInterval, int ticks, int overruns, double meanTick,
                   double maxTick, double cpuPerTick, double allocatedMiBPerTick, double cpuShare, double heapAfterGcMiB,
                   double rssMiB, double rowsPerInterval, double judgedPerInterval, double breachToRollback,
                   double scrapeMedian, double scrapeMax, double registrationMillis, String load) {}

    @Test
    void measure() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<Figures> all = new ArrayList<>();
        try {
            for (int n : sizes) {
                all.add(single(vertx, true, n));
            }
            for (int n : perRelease) {
                all.add(single(vertx, false, n));
            }
            if (replicated > 0) {
                all.add(replicated(vertx, replicated));
            }
        } finally {
            vertx.close().await();
        }
        System.out.printf("%nFLEET %d rules (%d with an offset baseline, one P0 with for: %ds), interval %ds, ruleSeries %s,"
                + " %d measured ticks each, launcher defaults%s, %s%n", RULES, baselines, FOR.toSeconds(), INTERVAL.toSeconds(),
                ruleSeries, ticks, javaOpts.isBlank() ? "" : " + " + javaOpts, JAR);
        System.out.println("| rules | releases | daemons | queries per interval | ticks | overran | mean tick | max tick"
                + " | CPU per tick | allocated per tick | CPU (one core) | heap after GC | RSS (max) | rows written per interval"
                + " | judged per interval | breach to rollback | /metrics median, max | a registration | load |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        all.forEach(f -> System.out.printf("| %s | %d | %d | %.0f | %d | %d | %.2f s | %.2f s | %.2f s | %.0f MiB | %.0f %% | %.0f MiB"
                + " | %.0f MiB | %.1f | %.0f | %.1f s | %.2f s, %.2f s | %.0f ms | %s |%n", f.mode(), f.releases(), f.daemons(),
                f.queriesPerInterval(), f.ticks(), f.overruns(), f.meanTick(), f.maxTick(), f.cpuPerTick(),
                f.allocatedMiBPerTick(), f.cpuShare() * 100, f.heapAfterGcMiB(), f.rssMiB(), f.rowsPerInterval(),
                f.judgedPerInterval(), f.breachToRollback(), f.scrapeMedian(), f.scrapeMax(), f.registrationMillis(), f.load()));
    }

    /** One daemon on SQLite. */
    Figures single(Vertx vertx, boolean select, int n) throws Exception {
        String mode = select ? "select" : "per-release";
        Path dir = Path.of("target", "bench", "fleet", mode + "-" + n).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/bench.yml"), rules(select, baselines));
        FleetPrometheus prometheus = new FleetPrometheus(vertx, n, "svc-" + n / 2).start();
        Rollbacks rollbacks = new Rollbacks(vertx);
        String storage = "storage: {path: data/}";
        List<FleetDaemon> daemons = List.of(FleetDaemon.start(dir, "", config(prometheus.url(), rollbacks.url(), storage, ""),
                javaOpts));
        try {
            return run(mode, n, daemons, prometheus, rollbacks);
        } finally {
            daemons.forEach(FleetDaemon::stop);
            prometheus.close();
            rollbacks.close();
        }
    }

    /** {@code n} releases over the replicas, on one PostgreSQL. */
    Figures replicated(Vertx vertx, int n) throws Exception {
        Path dir = Path.of("target", "bench", "fleet", "replicated-" + n).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/bench.yml"), rules(true, baselines));
        RealPostgres postgres = RealPostgres.start(dir.resolve("pg"));
        FleetPrometheus prometheus = new FleetPrometheus(vertx, n, "svc-" + n / 2).start();
        Rollbacks rollbacks = new Rollbacks(vertx);
        String storage = postgres.storageConfig(shards).strip();
        List<FleetDaemon> daemons = new ArrayList<>();
        try {
            for (int i = 1; i <= replicas; i++) {
                daemons.add(FleetDaemon.start(dir, "r" + i, config(prometheus.url() + "/r" + i, rollbacks.url(), storage,
                        "  replica: r" + i + "\n"), replicaJavaOpts));
            }
            return run("select, " + shards + " shards", n, daemons, prometheus, rollbacks);
        } finally {
            daemons.forEach(FleetDaemon::stop);
            prometheus.close();
            rollbacks.close();
            postgres.stop();
        }
    }

    private String config(String prometheusUrl, String rollbackUrl, String storage, String server) {
        return """
                prometheus: {url: "%s", timeout: 10s}
                evaluation: {interval: 15s}
                rules: [rules/*.yml]
                %s
                server:
                  listen: 127.0.0.1:{port}
                %s  tokens: [{name: bench, role: deployer, token: bench-token}]
                rollback:
                  default: {webhook: {url: "%s"}}
                metrics: {ruleSeries: %s}
                """.formatted(prometheusUrl, storage, server, rollbackUrl, ruleSeries);
    }

    private Figures run(String mode, int n, List<FleetDaemon> daemons, FleetPrometheus prometheus, Rollbacks rollbacks)
            throws Exception {
        long started = System.nanoTime();
        prometheus.quiet(true);
        register(daemons, n);
        prometheus.quiet(false);
        System.out.printf("FLEET %s %d: registered in %.1f s%n", mode, n, (System.nanoTime() - started) / 1e9);
        // Warm up: the first ticks write every release's first judgement (twenty outcomes each).
        for (FleetDaemon d : daemons) {
            double first = d.sample().count();
            Poll.until(Duration.ofMinutes(30), "three ticks of " + d.name(), () -> d.sample().count() >= first + 3);
        }
        String loadBefore = load();
        Sampler sampler = new Sampler(daemons, scrapeEvery);
        double[] cpuBefore = daemons.stream().mapToDouble(FleetDaemon::cpuSeconds).toArray();
        long wallStart = System.nanoTime();
        long queriesBefore = prometheus.queries();
        long firstTickAfter = System.currentTimeMillis();
        // The breach begins 4.3 s into an interval, not at a tick: after the first daemon's next tick.
        String first = daemons.get(0).name();
        Poll.until(INTERVAL.multipliedBy(ticks + 6L), "a tick of " + first, () -> prometheus.ticks(first).stream()
                .anyMatch(t -> t >= firstTickAfter));
        long tickAt = prometheus.ticks(first).stream().filter(t -> t >= firstTickAfter).findFirst().orElseThrow();
        Poll.until(Duration.ofSeconds(10), "4.3 s into that interval", () -> System.currentTimeMillis() >= tickAt + 4_321);
        long breachAt = System.currentTimeMillis();
        prometheus.breach(breachAt);
        Poll.until(INTERVAL.multipliedBy(ticks + 6L), ticks + " ticks measured", () -> sampler.ticks() >= ticks);
        Poll.until(Duration.ofMinutes(2), "the rollback", () -> rollbacks.first.get() > 0);
        double wall = (System.nanoTime() - wallStart) / 1e9;
        long queries = prometheus.queries() - queriesBefore;
        sampler.stop();
        double cpu = 0;
        double cpuAll = 0;
        for (int i = 0; i < daemons.size(); i++) {
            double used = daemons.get(i).cpuSeconds() - cpuBefore[i];
            cpu = Math.max(cpu, used / wall);
            cpuAll += used;
        }
        double heap = daemons.stream().mapToDouble(FleetDaemon::heapAfterGc).max().orElse(Double.NaN);
        int overruns = 0;
        for (FleetDaemon d : daemons) {
            List<Long> times = prometheus.ticks(d.name()).stream().filter(t -> t >= firstTickAfter).toList();
            for (int i = 1; i < times.size(); i++) {
                overruns += times.get(i) - times.get(i - 1) > INTERVAL.toMillis() * 1.05 ? 1 : 0;
            }
        }
        double intervals = wall / INTERVAL.toSeconds();
        double registration = registrationMillis(daemons.get(0));
        Figures f = new Figures(mode, n, daemons.size(), queries / intervals, sampler.ticks(), overruns,
                sampler.meanTick(), sampler.maxTick(), cpuAll / sampler.allTicks(), sampler.allocatedPerTick() / (1 << 20), cpu,
                heap, sampler.maxRss(), sampler.rowsPerInterval(intervals), sampler.judgedPerInterval(intervals),
                (rollbacks.first.get() - breachAt) / 1000.0, sampler.scrape(0.5), sampler.scrape(1), registration,
                loadBefore + " to " + load());
        System.out.println("FLEET " + f);
        return f;
    }

    /**
     * Registers {@code n} releases of distinct services, 16 at a time, spread over the daemons. One
     * whose exchange failed is sent again: the client may reuse a pooled connection just as the daemon
     * closes it as idle ({@code server.limits.idleTimeout}); sent twice, the second supersedes the first.
     */
    void register(List<FleetDaemon> daemons, int n) throws Exception {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            all.add(http.sendAsync(registration(daemons.get(i % daemons.size()), i, "1.0." + i),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r;
            try {
                r = all.get(i).get(120, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                r = http.send(registration(daemons.get(i % daemons.size()), i, "1.0." + i), HttpResponse.BodyHandlers.ofString());
            }
            if (r.statusCode() != 201) {
                throw new IllegalStateException("registration answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    /** A registration of {@code svc-i} at this version, to this daemon. */
    static HttpRequest registration(FleetDaemon daemon, int i, String version) {
        String body = "{\"service\":\"svc-" + i + "\",\"version\":\"" + version + "\",\"environment\":\"production\","
                + "\"window\":\"24h\"}";
        return HttpRequest.newBuilder(URI.create(daemon.url() + "/api/v1/releases"))
                .header("Authorization", "Bearer bench-token").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** The median time of 10 registrations, one at a time, of new versions of the fleet's services. */
    double registrationMillis(FleetDaemon daemon) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long started = System.nanoTime();
            HttpResponse<String> r = http.send(registration(daemon, i, "2.0." + i), HttpResponse.BodyHandlers.ofString());
            millis.add((System.nanoTime() - started) / 1e6);
            if (r.statusCode() != 201) {
                throw new IllegalStateException("registration answered " + r.statusCode() + ": " + r.body());
            }
        }
        java.util.Collections.sort(millis);
        return millis.get(millis.size() / 2);
    }

    /** The bench's rules: with {@code select}, one query per rule for all releases; without, one per release. */
    static String rules(boolean select, int baselines) {
        StringBuilder out = new StringBuilder("groups:\n  - name: bench\n    rules:\n");
        for (int i = 0; i < RULES; i++) {
            String expr = select ? "sum by (service, environment) (rate(bench_metric_" + i + "_total[5m]))"
                    : "sum(rate(bench_metric_" + i + "_total{service=\"{{service}}\",environment=\"{{environment}}\"}[5m]))";
            out.append("      - name: rule-").append(i).append("\n        signal: errors\n        expr: '").append(expr)
                    .append("'\n");
            if (select) {
                out.append("        select: {service: \"{{service}}\", environment: \"{{environment}}\"}\n");
            }
            out.append(i < baselines ? "        baseline: offset 1d\n        p1: \"> +500%\"\n" : "        p1: \"> 100\"\n");
            if (i == RULES - 1) {
                out.append("        p0: \"> 1000\"\n        for: ").append(FOR.toSeconds()).append("s\n");
            }
        }
        return out.toString();
    }

    static double sample(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.E+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static String load() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static List<Integer> ints(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The rollback webhook: when it was first called (wall clock), answering 200. */
    static final class Rollbacks {
        final AtomicLong first = new AtomicLong();
        private final HttpServer server;

        Rollbacks(Vertx vertx) {
            server = vertx.createHttpServer().requestHandler(request -> {
                first.compareAndSet(0, System.currentTimeMillis());
                request.response().setStatusCode(200).end();
            }).listen(0, "127.0.0.1").await();
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort() + "/rollback";
        }

        void close() {
            server.close().await();
        }
    }

    /** The launcher's environment: the jar just built, this JVM's Java, and the bench's Java options (last, winning). */
    static Map<String, String> env(String javaOpts) {
        return Map.of("WATCHDOG_JAR", JAR.toString(), "JAVA_HOME",
                System.getProperty("java.home"), "WATCHDOG_JAVA_OPTS", javaOpts);
    }

    static RealProcess launch(Path dir, String name, Path config, String javaOpts) {
        return RealProcess.start(List.of(Path.of("bin", "watchdog").toAbsolutePath().toString(), "run", "--config",
                config.toString()), env(javaOpts), dir.resolve((name.isEmpty() ? "watchdog" : name) + ".log"));
    }
}
