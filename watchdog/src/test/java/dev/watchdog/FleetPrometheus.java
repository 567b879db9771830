package dev.watchdog;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's query API for FleetBench, answered at once from bodies made in advance: a fleet query
 * (no service in it) gets a series for each of the {@code n} services, a query for one service one
 * series, a query narrowed to one service ({@code and on(...) label_replace(...)}) that service's
 * series. From {@link #breach}, the P0 rule's metric reads 5000 for one service (its instant answers,
 * and the range an onset is read from); everything else reads 1. While {@link #quiet}, every instant
 * query answers no series: releases are registered so, whatever a registration asks. Each tick is
 * told apart by the evaluation time its queries carry.
 */
final class FleetPrometheus {

    static final Pattern SERVICE = Pattern.compile("service=\"(svc-\\d+)\"");
    /** A query narrowed by the watchdog to one release's series (see Selection.narrowed). */
    static final Pattern NARROWED = Pattern.compile("\"service\", \"(svc-\\d+)\"");

    /** By replica (the first segment of the path it asks under; "" for one daemon): the times of its ticks. */
    private final Map<String, ConcurrentLinkedQueue<Long>> tickTimes = new ConcurrentHashMap<>();
    private final Map<String, Long> lastTime = new ConcurrentHashMap<>();
    private final AtomicLong queries = new AtomicLong();
    private final Vertx vertx;
    private final Buffer fleet;
    private final Buffer breachedFleet;
    private final Buffer one;
    private final Buffer none = body("");
    private final String breaching;
    private volatile long breachFrom = Long.MAX_VALUE;
    private volatile boolean quiet;
    private HttpServer server;

    /** {@code breaching}: the service that breaches the P0 rule once {@link #breach} is called. */
    FleetPrometheus(Vertx vertx, int n, String breaching) {
        this.vertx = vertx;
        this.breaching = breaching;
        this.fleet = body(series(n, null));
        this.breachedFleet = body(series(n, breaching));
        this.one = body("{\"metric\":{},\"value\":[1.7e9,\"1\"]}");
    }

    private static String series(int n, String breaching) {
        StringBuilder result = new StringBuilder(n * 90);
        for (int i = 0; i < n; i++) {
            String service = "svc-" + i;
            result.append(i == 0 ? "" : ",").append("{\"metric\":{\"service\":\"").append(service)
                    .append("\",\"environment\":\"production\"},\"value\":[1.7e9,\"")
                    .append(service.equals(breaching) ? "5000" : "1").append("\"]}");
        }
        return result.toString();
    }

    private static Buffer body(String result) {
        return Buffer.buffer("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result + "]}}");
    }

    FleetPrometheus start() {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** While {@code on}, every instant query answers no series (and counts as no tick). */
    void quiet(boolean on) {
        quiet = on;
    }

    /** From {@code fromMillis} (wall clock, as the daemons ask), the breaching service reads 5000. */
    void breach(long fromMillis) {
        breachFrom = fromMillis;
    }

    /** A replica's ticks so far, by the evaluation time they asked at (baselines a day earlier left out), in order. */
    List<Long> ticks(String replica) {
        return List.copyOf(tickTimes.getOrDefault(replica, new ConcurrentLinkedQueue<>()));
    }

    /** Queries answered so far, from every replica. */
    long queries() {
        return queries.get();
    }

    void close() {
        server.close().await();
    }

    private void handle(HttpServerRequest request) {
        String query = request.getParam("query", "");
        if (request.path().endsWith("/query_range")) {
            request.response().putHeader("Content-Type", "application/json").end(range(query,
                    seconds(request.getParam("start")), seconds(request.getParam("end")), seconds(request.getParam("step"))));
            return;
        }
        if (quiet) {
            request.response().putHeader("Content-Type", "application/json").end(none);
            return;
        }
        long time = seconds(request.getParam("time", "0"));
        String path = request.path();
        String replica = path.startsWith("/api/") ? "" : path.substring(1, path.indexOf('/', 1));
        synchronized (this) {
            if (time > lastTime.getOrDefault(replica, 0L) + 1000) {
                lastTime.put(replica, time);
                tickTimes.computeIfAbsent(replica, r -> new ConcurrentLinkedQueue<>()).add(time);
            }
        }
        queries.incrementAndGet();
        boolean forOne = SERVICE.matcher(query).find();
        boolean breached = query.contains(FleetBench.P0_METRIC) && time >= breachFrom;
        Matcher narrowed = NARROWED.matcher(query);
        Buffer answer = forOne ? one : narrowed.find() ? narrowed(narrowed.group(1), breached)
                : breached ? breachedFleet : fleet;
        request.response().putHeader("Content-Type", "application/json").end(answer);
    }

    /** One service's series of a select query, as Prometheus answers the query narrowed to it. */
    private Buffer narrowed(String service, boolean breached) {
        return body("{\"metric\":{\"service\":\"" + service + "\",\"environment\":\"production\"},\"value\":[1.7e9,\""
                + (breached && service.equals(breaching) ? "5000" : "1") + "\"]}");
    }

    /**
     * The range an onset is read from: narrowed to one service as Prometheus would, or, not narrowed,
     * the breaching service's series alone (of a fleet's, the only one a release filters for).
     */
    private String range(String query, long start, long end, long step) {
        Matcher m = NARROWED.matcher(query);
        String service = m.find() ? m.group(1) : breaching;
        StringBuilder values = new StringBuilder();
        for (long t = start; t <= end && service != null; t += Math.max(1, step)) {
            boolean breached = service.equals(breaching) && query.contains(FleetBench.P0_METRIC) && t >= breachFrom;
            values.append(values.length() == 0 ? "" : ",").append("[").append(t / 1000.0).append(",\"")
                    .append(breached ? "5000" : "1").append("\"]");
        }
        String result = service == null ? "" : "{\"metric\":{\"service\":\"" + service
                + "\",\"environment\":\"production\"},\"values\":[" + values + "]}";
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[" + result + "]}}";
    }

    private static long seconds(String text) {
        return Math.round(Double.parseDouble(text) * 1000);
    }
}
