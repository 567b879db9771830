package dev.watchdog.evaluation;

import dev.watchdog.core.Release;
import dev.watchdog.stats.Histogram;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A service's metrics around a release, minute by minute, for simulations: requests with a daily
 * cycle and minute-to-minute noise, errors, latency histograms drawn request by request (log-normal
 * or heavy-tailed, jittered each minute, with rare slow minutes, slower under load), a canary
 * beside the previous version, business counts, and the same hours 1, 7 and 14 days earlier, each
 * day a little different. {@link Effect} changes what the release does.
 */
final class History {

    /** The Prometheus client libraries' default buckets, in seconds. */
    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final Instant RELEASE = Instant.parse("2026-11-21T00:00:00Z");
    static final int DAY = 1440;
    static final int[] REFERENCE_DAYS = {1, 7, 14};

    /**
     * How a healthy service behaves. {@code clock}: the release's minute of the day; {@code cycle}: the
     * daily swing of traffic; {@code noise}: of requests minute to minute; {@code jitter}: of latencies
     * minute to minute; {@code bursts}: the chance of a minute {@code burstSize} times slower;
     * {@code load}: how much latencies grow with traffic (p95 ~ traffic^load); {@code canary}: the new
     * version's share of traffic (0: none, no version label); {@code dayToDay}: how much a day's level
     * differs from another's.
     */
    record Profile(double rps, int clock, double cycle, double noise, double p95, double jitter, boolean heavyTail,
                   double bursts, double burstSize, double load, double errors, double canary, double dayToDay) {}

    /** What the release does: latencies times {@code slower} (as histogram_quantile reads its p95), errors times {@code errors}, traffic times {@code traffic}. */
    record Effect(double slower, double errors, double traffic) {
        static final Effect NONE = new Effect(1, 1, 1);
    }

    private final Profile p;
    private final Effect effect;
    private final SplittableRandom random;
    private final int before;
    private final int minutes;
    private final double median;
    private final double slowerScale;

    /** The history: {@code hours} after the release, its reference days before it. */
    History(Profile profile, Effect effect, double hours, long seed) {
        this.p = profile;
        this.effect = effect;
        this.random = new SplittableRandom(seed);
        this.before = 14 * DAY + 120;
        this.minutes = before + (int) Math.round(hours * 60);
        this.median = scaleFor(profile.p95(), profile.heavyTail());
        this.slowerScale = scaleFor(profile.p95() * effect.slower(), profile.heavyTail()) / median;
    }

    Release release() {
        return Release.hypothetical("sim", "api", "2.0.0", "1.9.0", "production", Map.of(), RELEASE);
    }

    /** Generates every series into an in-process Prometheus. */
    SimulatedPrometheus prometheus() {
        SimulatedPrometheus prom = new SimulatedPrometheus(RELEASE.minus(Duration.ofMinutes(before)));
        boolean versions = p.canary() > 0;
        Side old = new Side(versions ? "1.9.0" : null);
        Side canary = versions ? new Side("2.0.0") : null;
        double[] projects = new double[minutes];
        double[] ai = new double[minutes];
        double[] aiErrors = new double[minutes];
        double[] users = new double[minutes];
        double[] loginFailures = new double[minutes];
        Map<Integer, Double> dayLevel = new HashMap<>();
        Map<Integer, Double> dayLatency = new HashMap<>();
        for (int m = 0; m < minutes; m++) {
            int fromRelease = m - before;
            int day = Math.floorDiv(fromRelease + 240, DAY);
            double level = dayLevel.computeIfAbsent(day, d -> Math.exp(p.dayToDay() * random.nextGaussian()));
            double latencyLevel = dayLatency.computeIfAbsent(day, d -> Math.exp(p.dayToDay() / 2 * random.nextGaussian()));
            double load = cycle(fromRelease) * level;
            boolean after = fromRelease >= 0;
            double traffic = load * Math.exp(p.noise() * random.nextGaussian() - p.noise() * p.noise() / 2);
            double scale = median * latencyLevel * Math.pow(load, p.load()) * Math.exp(p.jitter() * random.nextGaussian());
            if (random.nextDouble() < p.bursts()) {
                scale *= p.burstSize();
            }
            double expected = p.rps() * 60 * traffic * (after ? effect.traffic() : 1);
            double share = after ? p.canary() : 0;
            boolean changed = after && (canary == null);
            old.minute(m, poisson(expected * (1 - share)), scale * (changed ? slowerScale : 1),
                    p.errors() * (changed ? effect.errors() : 1));
            if (canary != null) {
                canary.minute(m, poisson(expected * share), scale * (after ? slowerScale : 1),
                        p.errors() * (after ? effect.errors() : 1));
            }
            projects[m] = poisson(2 * 60 * load);
            ai[m] = poisson(60 * load);
            aiErrors[m] = poisson(ai[m] * 0.01);
            users[m] = poisson(2000 * load);
            loginFailures[m] = poisson(0.3 * 60 * load);
        }
        old.into(prom);
        if (canary != null) {
            canary.into(prom);
        }
        prom.counter("app_projects_created_total", Map.of("service", "api"), projects);
        prom.counter("app_ai_requests_total", Map.of("service", "api", "result", "ok"), minus(ai, aiErrors));
        prom.counter("app_ai_requests_total", Map.of("service", "api", "result", "error"), aiErrors);
        prom.gauge("app_active_users", Map.of("service", "api"), users);
        prom.counter("app_login_failures_total", Map.of("service", "api"), loginFailures);
        return prom;
    }

    /** Traffic relative to the day's mean at a minute from the release, by the clock. */
    private double cycle(int fromRelease) {
        double clockMinute = p.clock() + fromRelease;
        return 1 + p.cycle() * Math.cos(2 * Math.PI * (clockMinute - 14 * 60) / DAY);
    }

    /** One version's requests, errors and latency histogram. */
    private final class Side {
        final String version;
        final double[] ok = new double[minutes];
        final double[] failed = new double[minutes];
        final double[] loginOk = new double[minutes];
        final double[] loginFailed = new double[minutes];
        final double[][] buckets = new double[BUCKETS.length + 1][minutes];

        Side(String version) {
            this.version = version;
        }

        void minute(int m, double requests, double scale, double errorRatio) {
            double logins = binomial(requests, 0.1);
            double errors = binomial(requests - logins, errorRatio);
            double loginErrors = binomial(logins, errorRatio);
            ok[m] = requests - logins - errors;
            failed[m] = errors;
            loginOk[m] = logins - loginErrors;
            loginFailed[m] = loginErrors;
            double below = 0;
            double cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                double at = cdf(BUCKETS[i] / scale, p.heavyTail());
                cumulative += poisson(requests * (at - below));
                below = at;
                buckets[i][m] = cumulative;
            }
            buckets[BUCKETS.length][m] = cumulative + poisson(requests * (1 - below));
        }

        void into(SimulatedPrometheus prom) {
            Map<String, String> base = new HashMap<>(Map.of("service", "api"));
            if (version != null) {
                base.put("version", version);
            }
            prom.counter("http_requests_total", with(base, "endpoint", "/api/projects", "status", "200"), ok);
            prom.counter("http_requests_total", with(base, "endpoint", "/api/projects", "status", "500"), failed);
            prom.counter("http_requests_total", with(base, "endpoint", "/api/auth/login", "status", "200"), loginOk);
            prom.counter("http_requests_total", with(base, "endpoint", "/api/auth/login", "status", "500"), loginFailed);
            for (int i = 0; i <= BUCKETS.length; i++) {
                String le = i == BUCKETS.length ? "+Inf" : Double.toString(BUCKETS[i]);
                prom.counter("http_request_duration_seconds_bucket", with(base, "le", le), buckets[i]);
            }
            prom.counter("http_request_duration_seconds_count", base, buckets[BUCKETS.length]);
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> out = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    /** The share of latencies at or under x times the scale: log-normal (sigma 0.5), or 90 % of it and 10 % Pareto. */
    static double cdf(double x, boolean heavyTail) {
        if (x <= 0) {
            return 0;
        }
        double body = normal(Math.log(x) / 0.5);
        if (!heavyTail) {
            return body;
        }
        double tail = x < 2 ? 0 : 1 - Math.pow(2 / x, 1.5);
        return 0.9 * normal(Math.log(x) / 0.4) + 0.1 * tail;
    }

    /** The scale at which the expected histogram's p95, as histogram_quantile reads it, is {@code p95}. */
    static double scaleFor(double p95, boolean heavyTail) {
        double lo = 1e-4;
        double hi = 10;
        for (int i = 0; i < 80; i++) {
            double mid = Math.sqrt(lo * hi);
            if (expectedP95(mid, heavyTail) < p95) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.sqrt(lo * hi);
    }

    private static double expectedP95(double scale, boolean heavyTail) {
        java.util.List<Histogram.Bucket> list = new java.util.ArrayList<>();
        for (double b : BUCKETS) {
            list.add(new Histogram.Bucket(b, cdf(b / scale, heavyTail)));
        }
        list.add(new Histogram.Bucket(Double.POSITIVE_INFINITY, 1));
        return Histogram.of(list).quantile(0.95);
    }

    private double poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 50) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int k = 0;
        while (product > limit) {
            product *= random.nextDouble();
            k++;
        }
        return k;
    }

    private double binomial(double n, double p) {
        return Math.min(n, poisson(n * p));
    }

    /** Φ(z) (Abramowitz and Stegun 7.1.26). */
    static double normal(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-x * x);
        return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }
}
