package dev.watchdog.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.watchdog.stats.Histogram.Bucket;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealPrometheus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Histogram.quantile against the real thing: histograms backfilled with promtool into a TSDB, read
 * by the Debian package's Prometheus with {@code histogram_quantile} at several q.
 */
class HistogramIT {

    static final double[] DEFAULT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final double[] QUANTILES = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1};

    @TempDir
    Path dir;

    @Test
    @DisplayName("quantile equals Prometheus's histogram_quantile on worked, random, non-monotonic and merged histograms")
    void sameAsPrometheus() throws Exception {
        List<List<Bucket>> cases = cases();
        long at = System.currentTimeMillis() / 1000 - 3600;
        Path data = Files.writeString(dir.resolve("data.om"), openMetrics(cases, at));
        String promtool = RealProcess.binary("promtool", "prometheus");
        RealProcess backfill = RealProcess.start(List.of(promtool, "tsdb", "create-blocks-from", "openmetrics",
                data.toString(), dir.resolve("tsdb").toString()), java.util.Map.of(), dir.resolve("promtool.log"));
        assertEquals(0, backfill.exitCode(60), backfill.log());
        RealPrometheus prometheus = RealPrometheus.withConfig("global: {scrape_interval: 15s}\n", dir);
        try {
            for (double q : QUANTILES) {
                JsonNode result = query(prometheus, "histogram_quantile(" + q + ", latency_bucket)", at, cases.size());
                for (JsonNode series : result) {
                    int i = Integer.parseInt(series.get("metric").get("case").asText());
                    double expected = number(series.get("value").get(1).asText());
                    double actual = Histogram.of(cases.get(i)).quantile(q);
                    String what = "case " + i + " q=" + q + ": " + cases.get(i);
                    if (Double.isNaN(expected)) {
                        assertTrue(Double.isNaN(actual), what + " is NaN in Prometheus, " + actual + " here");
                    } else {
                        assertEquals(expected, actual, 1e-12 * Math.abs(expected), what);
                    }
                }
            }
        } finally {
            prometheus.stop();
        }
    }

    /** A sample value as Prometheus writes it: Go's shortest float, or NaN, +Inf, -Inf. */
    private static double number(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    private static JsonNode query(RealPrometheus prometheus, String promql, long at, int expected) throws Exception {
        String path = "/api/v1/query?time=" + at + "&query=" + java.net.URLEncoder.encode(promql, "UTF-8");
        JsonNode[] result = new JsonNode[1];
        Poll.until(Duration.ofSeconds(30), "Prometheus to answer " + promql, () -> {
            String body = prometheus.get(path);
            try {
                result[0] = body.isEmpty() ? null : new ObjectMapper().readTree(body).path("data").path("result");
            } catch (java.io.IOException e) {
                return false;
            }
            return result[0] != null && result[0].size() == expected;
        });
        return result[0];
    }

    /** Hand-worked cases first (as HistogramTest), then random ones over the default and finer buckets. */
    private static List<List<Bucket>> cases() {
        double inf = Double.POSITIVE_INFINITY;
        List<List<Bucket>> cases = new ArrayList<>();
        cases.add(List.of(new Bucket(0.1, 10), new Bucket(0.25, 30), new Bucket(0.5, 40), new Bucket(1, 45),
                new Bucket(inf, 50)));
        cases.add(List.of(new Bucket(0.1, 10), new Bucket(0.25, 8), new Bucket(0.5, 15), new Bucket(inf, 15)));
        cases.add(List.of(new Bucket(-1, 2), new Bucket(0, 5), new Bucket(1, 9), new Bucket(inf, 10)));
        cases.add(List.of(new Bucket(0.1, 0), new Bucket(0.2, 5), new Bucket(inf, 5)));
        cases.add(List.of(new Bucket(0.1, 4), new Bucket(0.5, 4), new Bucket(1, 4), new Bucket(inf, 4)));
        // Two series of one histogram with the same bound written differently: le="0.5" and le="0.50" (see openMetrics).
        cases.add(List.of(new Bucket(0.5, 3), new Bucket(0.5, 4), new Bucket(1, 10), new Bucket(inf, 10)));
        SplittableRandom random = new SplittableRandom(20261121);
        double[] fine = new double[40];
        for (int i = 0; i < fine.length; i++) {
            fine[i] = 0.001 * Math.pow(1.25, i);
        }
        for (int i = 0; i < 10; i++) {
            cases.add(lognormal(i % 2 == 0 ? DEFAULT_BUCKETS : fine, 10 + random.nextInt(5000), random, i % 3 == 0));
        }
        return cases;
    }

    /** Latencies of median 80 ms and sigma 0.7, binned; some with a bucket's count lowered (a broken target). */
    private static List<Bucket> lognormal(double[] bounds, int n, SplittableRandom random, boolean broken) {
        long[] counts = new long[bounds.length + 1];
        for (int i = 0; i < n; i++) {
            double x = 0.08 * Math.exp(0.7 * gaussian(random));
            int b = 0;
            while (b < bounds.length && x > bounds[b]) {
                b++;
            }
            counts[b]++;
        }
        List<Bucket> buckets = new ArrayList<>();
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += counts[i];
            double le = i < bounds.length ? bounds[i] : Double.POSITIVE_INFINITY;
            boolean lowered = broken && i == bounds.length / 2;
            buckets.add(new Bucket(le, lowered ? cumulative / 2 : cumulative));
        }
        return buckets;
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static String openMetrics(List<List<Bucket>> cases, long at) {
        StringBuilder text = new StringBuilder("# TYPE latency histogram\n");
        for (int i = 0; i < cases.size(); i++) {
            List<String> written = new ArrayList<>();
            for (Bucket b : cases.get(i)) {
                String le = b.le() == Double.POSITIVE_INFINITY ? "+Inf" : String.format(Locale.ROOT, "%s", b.le());
                le = written.contains(le) ? le + "0" : le;
                written.add(le);
                text.append(String.format(Locale.ROOT, "latency_bucket{case=\"%d\",le=\"%s\"} %s %d%n", i, le,
                        b.count(), at));
            }
        }
        return text.append("# EOF\n").toString();
    }
}
