package dev.watchdog.evaluation;

import dev.watchdog.core.Release;
import dev.watchdog.core.Severity;
import dev.watchdog.evaluation.Replay.RuleTimeline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The shipped rules judged over simulated histories, as the daemon would: Observer and Judge at each rule's interval. */
final class Simulations {

    private Simulations() {}

    /** The shipped rule files (rules/*.yml), those {@code which} keeps. */
    static RuleSet shipped(Predicate<Rule> which) {
        try (Stream<Path> files = Files.list(Path.of("..", "rules"))) {
            List<Path> yml = files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
            return new RuleSet(RuleLoader.load(yml).rules().stream().filter(which).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** When each rule first counted P1 (or P0) over a history, from the release; absent when it never did. */
    record Judged(Map<String, Duration> p1, Map<String, Duration> p0) {
        boolean paged() {
            return !p1.isEmpty();
        }

        /** The first P1 of any rule, or null. */
        Duration first() {
            return p1.values().stream().min(Duration::compareTo).orElse(null);
        }
    }

    static Judged judge(RuleSet rules, History history, Duration watch) {
        SimulatedPrometheus prom = history.prometheus();
        Release release = history.release();
        Instant start = release.startedAt();
        Map<String, RuleTimeline> timelines = Replay.run(rules, release, start.plus(watch), Duration.ofSeconds(15),
                interval -> prom);
        Map<String, Duration> p1 = new LinkedHashMap<>();
        Map<String, Duration> p0 = new LinkedHashMap<>();
        timelines.forEach((name, t) -> {
            Instant first = t.first(Severity.P1);
            if (first != null) {
                p1.put(name, Duration.between(start, first));
            }
            Instant rollback = t.first(Severity.P0);
            if (rollback != null) {
                p0.put(name, Duration.between(start, rollback));
            }
        });
        return new Judged(p1, p0);
    }

    /**
     * A healthy service drawn at random, healthy by the release criteria (errors under 0.1 %, p95 under
     * 500 ms): 2 to 400 requests a second, a daily cycle of up to half its mean, released at any hour;
     * requests noisy by 2 to 15 % a minute; p95 of 80 to 200 ms, jittered by 2 to 12 % a minute,
     * log-normal or heavy-tailed, in half of them up to one minute in 30 slower by 2 to 2.5 times,
     * slower under load; errors 0.01 to 0.08 %; a canary with 5 to 20 % of the traffic in a third of
     * them; days whose levels differ by 1 to 5 % (traffic) and half that (latency).
     */
    static History.Profile healthy(SplittableRandom r) {
        double rps = Math.exp(Math.log(2) + r.nextDouble() * Math.log(200));
        return new History.Profile(rps, r.nextInt(History.DAY), 0.5 * r.nextDouble(), 0.02 + 0.13 * r.nextDouble(),
                0.08 + 0.12 * r.nextDouble(), 0.02 + 0.10 * r.nextDouble(), r.nextBoolean(),
                r.nextDouble() < 0.5 ? 0 : r.nextDouble() / 30, 2 + r.nextDouble() / 2, 0.8 * r.nextDouble(),
                0.0001 + 0.0007 * r.nextDouble(), r.nextDouble() < 1 / 3.0 ? 0.05 + 0.15 * r.nextDouble() : 0,
                0.01 + 0.04 * r.nextDouble());
    }

    /** The corpus's typical service: 40 requests a second, p95 200 ms jittered 4 % a minute, a daily cycle of 35 %. */
    static History.Profile typical(double rps, double canary) {
        return new History.Profile(rps, 10 * 60, 0.35, 0.03, 0.2, 0.04, false, 0, 2.5, 0.3, 0.0002, canary, 0.02);
    }
}
