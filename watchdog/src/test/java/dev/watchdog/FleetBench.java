package dev.watchdog;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: the daemon from the built jar under {@code -Xmx512m}, watching 100, 1000
 * and 10,000 releases of distinct services with 20 rules at a 15 s interval, against a fake
 * Prometheus that answers at once. Prints, for each, the queries per second sent, the ticks that
 * overran their interval, the daemon's CPU share (of one core) and its heap after a full GC; with
 * {@code select} rules and with per-release rules. Run with
 * {@code mvn -B verify -Dit.test=FleetBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}
 * (options: -Dbench.sizes=100,1000,10000 -Dbench.perRelease=100,1000 -Dbench.ticks=8 -Dbench.baselines=10).
 */
class FleetBench {

    static final Duration INTERVAL = Duration.ofSeconds(15);
    static final int RULES = 20;
    static final Pattern SERVICE = Pattern.compile("service=\"(svc-\\d+)\"");
    static final long DAY = Duration.ofDays(1).toMillis();

    final List<Integer> sizes = ints(System.getProperty("bench.sizes", "100,1000,10000"));
    final List<Integer> perRelease = ints(System.getProperty("bench.perRelease", "100,1000"));
    final int ticks = Integer.getInteger("bench.ticks", 8);
    final int baselines = Integer.getInteger("bench.baselines", 10);
    final String ruleSeries = System.getProperty("bench.ruleSeries", "notOk");
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What one run measured. */
    record Figures(String mode, int releases, double queriesPerSecond, double queriesPerTick, int ticks, int overruns,
                   double meanTickSeconds, double maxGapSeconds, double cpuShare, double heapAfterGcMiB, double rssMiB) {}

    @Test
    void measure() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<Figures> all = new ArrayList<>();
        try {
            for (int n : sizes) {
                all.add(run(vertx, true, n));
            }
            for (int n : perRelease) {
                all.add(run(vertx, false, n));
            }
        } finally {
            vertx.close().await();
        }
        System.out.printf("%nFLEET %d rules (%d with an offset baseline), interval %ds, -Xmx512m, ruleSeries %s, "
                + "%d measured ticks each%n", RULES, baselines, INTERVAL.toSeconds(), ruleSeries, ticks);
        System.out.println("| rules | releases | queries/s | queries/tick | ticks | overran | mean tick | max gap "
                + "| CPU (one core) | heap after GC | RSS |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        all.forEach(f -> System.out.printf("| %s | %d | %.1f | %.0f | %d | %d | %.2f s | %.1f s | %.0f %% | %.0f MiB | %.0f MiB |%n",
                f.mode(), f.releases(), f.queriesPerSecond(), f.queriesPerTick(), f.ticks(), f.overruns(),
                f.meanTickSeconds(), f.maxGapSeconds(), f.cpuShare() * 100, f.heapAfterGcMiB(), f.rssMiB()));
    }

    /** One daemon, {@code n} releases registered, a warm-up of two ticks, then {@code ticks} ticks measured. */
    Figures run(Vertx vertx, boolean select, int n) throws Exception {
        FakePrometheus prometheus = new FakePrometheus(vertx, n).start();
        Path dir = Path.of("target", "bench", "fleet", (select ? "select-" : "per-release-") + n);
        deleteTree(dir);
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/bench.yml"), rules(select, baselines));
        int port = RealProcess.freePort();
        Files.writeString(dir.resolve("watchdog.yml"), """
                prometheus: {url: "%s", timeout: 10s}
                evaluation: {interval: 15s}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens: [{name: bench, role: deployer, token: bench-token}]
                rollback:
                  default: {webhook: {url: "http://127.0.0.1:1/rollback"}}
                metrics: {ruleSeries: %s}
                """.formatted(prometheus.url(), port, ruleSeries));
        String url = "http://127.0.0.1:" + port;
        String jar = System.getProperty("watchdog.jar", "target/watchdog.jar");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        String jvmArgs = System.getProperty("bench.jvmArgs", "");
        command.addAll(jvmArgs.isBlank() ? List.of() : List.of(jvmArgs.trim().split(" +")));
        command.addAll(List.of("-jar", jar, "run", "--config", dir.resolve("watchdog.yml").toString()));
        RealProcess daemon = RealProcess.start(command, Map.of(), dir.resolve("watchdog.log"));
        try {
            Poll.until(Duration.ofSeconds(60), "the daemon to be ready", () -> status(url + "/readyz") == 200);
            long started = System.nanoTime();
            register(url, n);
            System.out.printf("FLEET %s %d: registered in %.1f s%n", select ? "select" : "per-release", n,
                    (System.nanoTime() - started) / 1e9);
            awaitTicks(prometheus, 2);
            return measure(select ? "select" : "per-release", n, daemon, url, prometheus);
        } finally {
            daemon.stop();
            prometheus.close();
        }
    }

    private Figures measure(String mode, int n, RealProcess daemon, String url, FakePrometheus prometheus)
            throws Exception {
        // A scrape of /metrics costs the daemon time too: one before a tick that is not measured, one after.
        double[] evalBefore = evaluations(url);
        awaitTicks(prometheus, prometheus.ticks().size() + 1);
        int firstTick = prometheus.ticks().size();
        double cpuBefore = cpuSeconds(daemon.pid());
        long started = System.nanoTime();
        awaitTicks(prometheus, firstTick + ticks + 1);
        double wall = (System.nanoTime() - started) / 1e9;
        double cpu = cpuSeconds(daemon.pid()) - cpuBefore;
        double heap = heapAfterGc(daemon.pid());
        long scrapeStarted = System.nanoTime();
        double[] evalAfter = evaluations(url);
        System.out.printf("FLEET %s %d: a scrape of /metrics took %.2f s%n", mode, n, (System.nanoTime() - scrapeStarted) / 1e9);
        List<Long> times = prometheus.ticks().subList(firstTick, firstTick + ticks + 1);
        long queries = times.subList(0, ticks).stream().mapToLong(prometheus::queriesOf).sum();
        double span = (times.get(ticks) - times.get(0)) / 1000.0;
        int overruns = 0;
        double maxGap = 0;
        for (int i = 1; i < times.size(); i++) {
            double gap = (times.get(i) - times.get(i - 1)) / 1000.0;
            maxGap = Math.max(maxGap, gap);
            overruns += gap > INTERVAL.toSeconds() * 1.05 ? 1 : 0;
        }
        double evaluated = evalAfter[0] - evalBefore[0];
        double meanTick = evaluated == 0 ? Double.NaN : (evalAfter[1] - evalBefore[1]) / evaluated;
        Figures f = new Figures(mode, n, queries / span, (double) queries / ticks, ticks, overruns, meanTick, maxGap,
                cpu / wall, heap, rssMiB(daemon.pid()));
        System.out.println("FLEET " + f);
        if (Boolean.getBoolean("bench.histogram")) {
            jcmd(daemon.pid(), "GC.class_histogram").lines().limit(30).forEach(l -> System.out.println("FLEET " + l));
        }
        return f;
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
        }
        return out.toString();
    }

    /** Registers {@code n} releases of distinct services, 16 at a time. */
    void register(String url, int n) throws Exception {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            String body = "{\"service\":\"svc-" + i + "\",\"version\":\"1.0." + i + "\",\"environment\":\"production\","
                    + "\"window\":\"24h\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/releases"))
                    .header("Authorization", "Bearer bench-token").header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            if (r.statusCode() != 201) {
                throw new IllegalStateException("registration answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    void awaitTicks(FakePrometheus prometheus, int count) {
        Poll.until(INTERVAL.multipliedBy(count + 4L), count + " ticks", () -> prometheus.ticks().size() >= count);
    }

    int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    String metrics(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Ticks completed and the seconds they took, from the daemon's own metrics. */
    double[] evaluations(String url) throws Exception {
        String text = metrics(url);
        return new double[] {sample(text, "watchdog_evaluation_duration_seconds_count"),
            sample(text, "watchdog_evaluation_duration_seconds_sum")};
    }

    /** A full GC, then the heap in use, both by jcmd (a scrape of /metrics would itself fill the heap). */
    static double heapAfterGc(long pid) throws Exception {
        jcmd(pid, "GC.run");
        Matcher m = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }

    static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    static double sample(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.E+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** User and system CPU of a process, in seconds, from /proc (clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    static double rssMiB(long pid) throws IOException {
        Matcher m = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc", String.valueOf(pid),
                "status")));
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
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

    /**
     * Prometheus's query API, answered at once from bodies made in advance: a fleet query (no service
     * in it) gets a series for each of the {@code n} services; a query for one service gets one series.
     * Each tick is told apart by the evaluation time its queries carry.
     */
    static final class FakePrometheus {
        private final ConcurrentLinkedQueue<Long> tickTimes = new ConcurrentLinkedQueue<>();
        private final Map<Long, AtomicLong> perTick = new ConcurrentHashMap<>();
        private final Vertx vertx;
        private final Buffer fleet;
        private final Buffer one;
        private volatile long lastTime;
        private HttpServer server;

        FakePrometheus(Vertx vertx, int n) {
            this.vertx = vertx;
            StringBuilder result = new StringBuilder();
            for (int i = 0; i < n; i++) {
                result.append(i == 0 ? "" : ",").append("{\"metric\":{\"service\":\"svc-").append(i)
                        .append("\",\"environment\":\"production\"},\"value\":[1.7e9,\"1\"]}");
            }
            this.fleet = body(result.toString());
            this.one = body("{\"metric\":{},\"value\":[1.7e9,\"1\"]}");
        }

        private static Buffer body(String result) {
            return Buffer.buffer("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result + "]}}");
        }

        FakePrometheus start() {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
            return this;
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort();
        }

        /** The evaluation times of the ticks seen so far (baselines, asked a day earlier, left out), in order. */
        List<Long> ticks() {
            return List.copyOf(tickTimes);
        }

        void close() {
            server.close().await();
        }

        /** The queries a tick sent: at its time, and its baselines' a day before. */
        long queriesOf(long tick) {
            AtomicLong n = perTick.get(tick);
            return n == null ? 0 : n.get();
        }

        private void handle(HttpServerRequest request) {
            String query = request.getParam("query");
            long time = Math.round(Double.parseDouble(request.getParam("time", "0")) * 1000);
            synchronized (this) {
                if (time > lastTime) {
                    lastTime = time;
                    tickTimes.add(time);
                }
            }
            long tick = time < lastTime - DAY / 2 ? time + DAY : time;
            perTick.computeIfAbsent(tick, k -> new AtomicLong()).incrementAndGet();
            boolean forOne = query != null && SERVICE.matcher(query).find();
            request.response().putHeader("Content-Type", "application/json").end(forOne ? one : fleet);
        }
    }
}
