package dev.watchdog.evaluation;

import dev.watchdog.core.Durations;
import dev.watchdog.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: the shipped rules (all of them, as the daemon judges them: Observer and Judge
 * at each rule's interval) over simulated histories, in-process (an evaluator of the PromQL shapes the
 * shipped rules send; metrics the simulations do not make, such as CPU, are no data). Healthy histories
 * of every kind give the false-page and false-rollback rates over a watch; regressions of known size
 * give the detection time by effect. Run with
 * {@code mvn -B -o test -Dtest=JudgementBench -Dsurefire.failIfNoSpecifiedTests=false}
 * (options: -Dbench.healthy=400, -Dbench.hours=24, -Dbench.regressions=60, -Dbench.threads=2).
 */
class JudgementBench {

    final int healthy = Integer.getInteger("bench.healthy", 400);
    final double hours = Double.parseDouble(System.getProperty("bench.hours", "24"));
    final int regressions = Integer.getInteger("bench.regressions", 60);
    final int threads = Integer.getInteger("bench.threads", 2);

    @Test
    void measure() throws Exception {
        RuleSet rules = Simulations.shipped(r -> true);
        healthy(rules, "healthy, every kind, days alike", r -> noDayToDay(Simulations.healthy(r)));
        healthy(rules, "healthy, every kind, days 1-5 % apart", Simulations::healthy);
        System.out.printf("%nREGRESSIONS (%d histories each, 6 h; detection: the first P1 of the rule named)%n", regressions);
        System.out.printf("%-52s %-22s %9s %9s %9s %9s %9s%n", "regression", "rule", "by 20m", "by 1h", "by 6h",
                "median", "p90");
        for (double rps : new double[] {40, 10, 200}) {
            for (double slower : new double[] {1.05, 1.10, 1.25, 1.5}) {
                regression("p95 " + percent(slower) + " at " + (int) rps + " requests/s", "latency-vs-baseline",
                        Simulations.typical(rps, 0), new History.Effect(slower, 1, 1));
            }
        }
        regression("canary 10 % of 40/s, p95 +30 %", "latency-vs-baseline", Simulations.typical(40, 0.1),
                new History.Effect(1.3, 1, 1));
        regression("canary 10 % of 400/s, errors x2 (0.05 %)", "canary-error-rate",
                withErrors(Simulations.typical(400, 0.1), 0.0005), new History.Effect(1, 2, 1));
        regression("canary 10 % of 40/s, errors x2 (0.5 %)", "canary-error-rate",
                withErrors(Simulations.typical(40, 0.1), 0.005), new History.Effect(1, 2, 1));
        regression("requests -10 % at 40 requests/s", "throughput-vs-yesterday", Simulations.typical(40, 0),
                new History.Effect(1, 1, 0.9));
        regression("requests -20 % at 2 requests/s", "throughput-vs-yesterday", Simulations.typical(2, 0),
                new History.Effect(1, 1, 0.8));
    }

    void healthy(RuleSet rules, String what, Function<SplittableRandom, History.Profile> profiles) throws Exception {
        SplittableRandom random = new SplittableRandom(20261206);
        List<Callable> runs = new ArrayList<>();
        for (int i = 0; i < healthy; i++) {
            History h = new History(profiles.apply(random), History.Effect.NONE, hours, random.nextLong());
            runs.add(() -> Simulations.judge(rules, h, Duration.ofMinutes(Math.round(hours * 60))));
        }
        long started = System.nanoTime();
        List<Simulations.Judged> judged = run(runs);
        Map<String, Integer> byRule = new TreeMap<>();
        int pages = 0;
        int rollbacks = 0;
        for (Simulations.Judged j : judged) {
            pages += j.paged() ? 1 : 0;
            rollbacks += j.p0().isEmpty() ? 0 : 1;
            j.p1().keySet().forEach(r -> byRule.merge(r, 1, Integer::sum));
        }
        System.out.printf("%nHEALTHY %s: %d histories of %s h each (%.0f s)%n", what, healthy, Durations.format(
                Duration.ofMinutes(Math.round(hours * 60))), (System.nanoTime() - started) / 1e9);
        System.out.printf("  false pages: %d (%.2f %%); false rollbacks: %d (%.2f %%)%n", pages, 100.0 * pages / healthy,
                rollbacks, 100.0 * rollbacks / healthy);
        byRule.forEach((rule, n) -> System.out.printf("    %-28s %d%n", rule, n));
    }

    void regression(String what, String rule, History.Profile profile, History.Effect effect) throws Exception {
        RuleSet one = Simulations.shipped(r -> r.name().equals(rule));
        SplittableRandom random = new SplittableRandom(what.hashCode());
        List<Callable> runs = new ArrayList<>();
        for (int i = 0; i < regressions; i++) {
            History h = new History(profile, effect, 6, random.nextLong());
            runs.add(() -> Simulations.judge(one, h, Duration.ofHours(6)));
        }
        List<Duration> found = new ArrayList<>();
        for (Simulations.Judged j : run(runs)) {
            Duration d = j.p1().get(rule);
            found.add(d == null ? Duration.ofDays(365) : d);
        }
        Collections.sort(found);
        System.out.printf("%-52s %-22s %8.0f%% %8.0f%% %8.0f%% %9s %9s%n", what, rule, share(found, 20), share(found, 60),
                share(found, 360), time(found.get(found.size() / 2)), time(found.get(found.size() * 9 / 10)));
    }

    interface Callable extends java.util.concurrent.Callable<Simulations.Judged> {}

    List<Simulations.Judged> run(List<Callable> runs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Simulations.Judged>> futures = new ArrayList<>();
            runs.forEach(r -> futures.add(pool.submit(r)));
            List<Simulations.Judged> out = new ArrayList<>();
            for (Future<Simulations.Judged> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    static double share(List<Duration> found, long minutes) {
        return 100.0 * found.stream().filter(d -> d.toMinutes() <= minutes).count() / found.size();
    }

    static String time(Duration d) {
        return d.toDays() > 300 ? "never" : Durations.format(Duration.ofSeconds(d.toSeconds()));
    }

    static String percent(double factor) {
        long p = Math.round((factor - 1) * 100);
        return (p >= 0 ? "+" : "") + p + " %";
    }

    static History.Profile noDayToDay(History.Profile p) {
        return new History.Profile(p.rps(), p.clock(), p.cycle(), p.noise(), p.p95(), p.jitter(), p.heavyTail(), p.bursts(),
                p.burstSize(), p.load(), p.errors(), p.canary(), 0);
    }

    static History.Profile withErrors(History.Profile p, double errors) {
        return new History.Profile(p.rps(), p.clock(), p.cycle(), p.noise(), p.p95(), p.jitter(), p.heavyTail(), p.bursts(),
                p.burstSize(), p.load(), errors, p.canary(), p.dayToDay());
    }
}
