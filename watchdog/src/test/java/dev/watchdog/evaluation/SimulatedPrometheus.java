package dev.watchdog.evaluation;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Series;
import dev.watchdog.prometheus.Query;
import dev.watchdog.stats.Histogram;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process Prometheus for simulations: series kept minute by minute, and the PromQL shapes the
 * shipped rules send over them evaluated here: {@code sum by (...) (increase|rate(m{...}[w]))} (with
 * {@code offset}), a gauge summed, the ratio of two such sums, and {@code histogram_quantile} of summed
 * bucket rates. Counters step at each minute, as if scraped once a minute, and {@code increase} is the
 * difference of the counter at both ends of its window (no extrapolation). Any other query (CPU,
 * memory, probes: metrics the simulations do not make) answers nothing: no data. Not thread-safe.
 */
final class SimulatedPrometheus implements Query {

    private static final String SUM = "sum by \\(([^)]*)\\) \\((?:(increase|rate)\\()?([a-z_]+)(\\{[^}]*\\})?"
            + "(?:\\[([0-9a-z]+)\\])?(?: offset ([0-9a-z]+))?\\)?\\)";
    private static final Pattern ONE = Pattern.compile("^" + SUM + "$");
    private static final Pattern RATIO = Pattern.compile("^(" + SUM + ") / (" + SUM + ")$");
    private static final Pattern QUANTILE = Pattern.compile("^histogram_quantile\\(([0-9.]+), (" + SUM + ")\\)$");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)(=~|!~|!=|=)\"([^\"]*)\"");

    /** One series: labels, and per minute the counter's value at the minute's start (or the gauge's). */
    record Kept(Map<String, String> labels, double[] values) {}

    private final Instant origin;
    private final Map<String, List<Kept>> byMetric = new HashMap<>();
    final Set<String> unsupported = new TreeSet<>();

    SimulatedPrometheus(Instant origin) {
        this.origin = origin;
    }

    /** A counter from its increments per minute. */
    void counter(String metric, Map<String, String> labels, double[] increments) {
        double[] values = new double[increments.length + 1];
        for (int i = 0; i < increments.length; i++) {
            values[i + 1] = values[i] + increments[i];
        }
        byMetric.computeIfAbsent(metric, m -> new ArrayList<>()).add(new Kept(Map.copyOf(labels), values));
    }

    /** A gauge's value per minute. */
    void gauge(String metric, Map<String, String> labels, double[] values) {
        byMetric.computeIfAbsent(metric, m -> new ArrayList<>()).add(new Kept(Map.copyOf(labels), values));
    }

    /** A query as understood once: how to answer it at any time. */
    private interface Plan {
        List<Series> at(Instant time);
    }

    private final Map<String, Plan> plans = new HashMap<>();

    @Override
    public Future<List<Series>> at(String promql, Instant time) {
        return Future.succeededFuture(plans.computeIfAbsent(promql, this::plan).at(time));
    }

    private Plan plan(String promql) {
        String q = promql.replaceAll("\\s+", " ").trim();
        Matcher m = QUANTILE.matcher(q);
        if (m.matches()) {
            double quantile = Double.parseDouble(m.group(1));
            Sum sum = new Sum(ONE.matcher(m.group(2)));
            return time -> quantile(quantile, sum.at(time));
        }
        m = RATIO.matcher(q);
        if (m.matches()) {
            Sum a = new Sum(ONE.matcher(m.group(1)));
            Sum b = new Sum(ONE.matcher(m.group(8)));
            return time -> ratio(a.at(time), b.at(time));
        }
        m = ONE.matcher(q);
        if (m.matches()) {
            return new Sum(m)::at;
        }
        unsupported.add(q);
        return time -> List.of();
    }

    /** {@code sum by (...) (f(m{...}[w] offset d))}, understood once. */
    private final class Sum {
        final List<String> by;
        final String function;
        final List<Kept> series;
        final Duration offset;
        final Duration window;

        Sum(Matcher m) {
            if (!m.matches()) {
                throw new IllegalStateException("not a sum: " + m);
            }
            by = List.of(m.group(1).split(",\\s*"));
            function = m.group(2);
            Map<String, String[]> matchers = matchers(m.group(4));
            series = byMetric.getOrDefault(m.group(3), List.of()).stream().filter(k -> matches(k.labels(), matchers)).toList();
            offset = m.group(6) == null ? Duration.ZERO : Durations.parse(m.group(6));
            window = m.group(5) == null ? Duration.ZERO : Durations.parse(m.group(5));
        }

        List<Series> at(Instant time) {
            Instant at = time.minus(offset);
            int end = minute(at);
            int start = Math.max(0, minute(at.minus(window)));
            Map<Map<String, String>, Double> sums = new LinkedHashMap<>();
            for (Kept k : series) {
                if (end < 0 || end >= k.values().length) {
                    continue;
                }
                double increase = k.values()[end] - k.values()[start];
                double value = function == null ? k.values()[end]
                        : function.equals("rate") ? increase / window.toSeconds() : increase;
                Map<String, String> key = new TreeMap<>();
                for (String l : by) {
                    String v = k.labels().get(l);
                    if (v != null) {
                        key.put(l, v);
                    }
                }
                sums.merge(key, value, Double::sum);
            }
            List<Series> out = new ArrayList<>(sums.size());
            sums.forEach((labels, v) -> out.add(new Series(labels, v)));
            return out;
        }
    }

    private static List<Series> ratio(List<Series> a, List<Series> b) {
        List<Series> out = new ArrayList<>();
        for (Series x : a) {
            b.stream().filter(y -> y.labels().equals(x.labels())).findFirst()
                    .ifPresent(y -> out.add(new Series(x.labels(), x.value() / y.value())));
        }
        return out;
    }

    private static List<Series> quantile(double q, List<Series> buckets) {
        Map<Map<String, String>, List<Histogram.Bucket>> groups = new LinkedHashMap<>();
        for (Series s : buckets) {
            Map<String, String> key = new TreeMap<>(s.labels());
            String le = key.remove("le");
            double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Histogram.Bucket(bound, s.value()));
        }
        List<Series> out = new ArrayList<>();
        groups.forEach((key, list) -> out.add(new Series(key, Histogram.of(list).quantile(q))));
        return out;
    }

    private static Map<String, String[]> matchers(String text) {
        Map<String, String[]> out = new HashMap<>();
        if (text != null) {
            Matcher m = MATCHER.matcher(text);
            while (m.find()) {
                out.put(m.group(1), new String[] {m.group(2), m.group(3)});
            }
        }
        return out;
    }

    private static boolean matches(Map<String, String> labels, Map<String, String[]> matchers) {
        for (Map.Entry<String, String[]> e : matchers.entrySet()) {
            String value = labels.getOrDefault(e.getKey(), "");
            String op = e.getValue()[0];
            String wanted = e.getValue()[1];
            boolean ok = switch (op) {
                case "=" -> value.equals(wanted);
                case "!=" -> !value.equals(wanted);
                case "=~" -> value.matches(wanted);
                default -> !value.matches(wanted);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The minute a time falls in, counted from the origin; the counter's value is the one at its start. */
    private int minute(Instant t) {
        return (int) Math.floorDiv(Duration.between(origin, t).toSeconds(), 60);
    }
}
