package dev.watchdog.cli;

import dev.watchdog.cli.RuleTestCommand.Expectation;
import dev.watchdog.cli.RuleTestCommand.InputSeries;
import dev.watchdog.cli.RuleTestCommand.ReleaseSpec;
import dev.watchdog.cli.RuleTestCommand.TestCase;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.evaluation.Replay.RuleTimeline;
import dev.watchdog.evaluation.Replay;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.prometheus.Query;
import dev.watchdog.prometheus.RangeQueries;
import dev.watchdog.prometheus.TemporaryPrometheus;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.SeriesNotation;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One rule test, run: its series backfilled into a Prometheus of its own, the rules judged from the
 * release on as the daemon would, the crossings found, and each expectation checked. Blocking: run
 * it on a thread of its own, never an event loop.
 */
final class RuleTestRun {

    private RuleTestRun() {}

    /** A test with the rules and the evaluation interval of its file. */
    record Test(RuleSet rules, Duration interval, TestCase spec) {}

    /** The failures, each a readable difference; empty when every expectation holds. */
    static List<String> run(Vertx vertx, TemporaryPrometheus.Binaries binaries, Test test) throws IOException {
        TestCase spec = test.spec();
        Duration step = spec.interval() == null ? Duration.ofMinutes(1) : spec.interval();
        Release release = release(spec.release());
        Instant last = last(spec, step, release);
        try (TemporaryPrometheus temp = TemporaryPrometheus.start(binaries, openMetrics(spec.inputSeries(), step))) {
            PrometheusClient client = new PrometheusClient(vertx,
                    new WatchdogConfig.Prometheus(temp.url(), null, null, null), new WatchdogMetrics());
            Map<String, RuleTimeline> timelines = Replay.run(test.rules(), release, last, test.interval(),
                    every -> new RangeQueries(client, every));
            Map<String, Optional<Instant>> crossings = crossings(spec, new RangeQueries(client, test.interval()),
                    release.startedAt(), last, test.interval());
            List<String> failures = new ArrayList<>();
            for (Expectation e : spec.expect()) {
                String failure = notApplying(e, test.rules(), timelines);
                failure = failure != null ? failure : ExpectationCheck.check(e, timelines, crossings::get);
                if (failure != null) {
                    failures.add(failure);
                }
            }
            return failures;
        }
    }

    /** An expectation about a rule that the release does not get (its group's match keeps it away), or null. */
    private static @Nullable String notApplying(Expectation e, RuleSet rules, Map<String, RuleTimeline> timelines) {
        if (e.rule() == null || timelines.containsKey(e.rule())) {
            return null;
        }
        return rules.byName(e.rule()).map(r -> e.rule() + ": does not apply to the test's release (group " + r.group()
                + " matches " + r.scope().match().text() + ")").orElse(null);
    }

    /**
     * Where judging ends: the last time an expectation names, or, for a test that looks for crossings,
     * the last sample if that is later.
     */
    private static Instant last(TestCase spec, Duration step, Release release) {
        Instant named = spec.expect().stream().map(Expectation::last).flatMap(Optional::stream)
                .map(RuleTestCommand.ORIGIN::plus).max(Instant::compareTo).orElse(release.startedAt());
        if (spec.expect().stream().noneMatch(e -> e.crossing() != null)) {
            return named;
        }
        int samples = spec.inputSeries().stream().mapToInt(s -> SeriesNotation.expand(s.values()).size()).max().orElse(1);
        Instant end = RuleTestCommand.ORIGIN.plus(step.multipliedBy(samples - 1L));
        return end.isAfter(named) ? end : named;
    }

    /** For each crossing named, the first evaluation from the release on at which the PromQL returns something. */
    private static Map<String, Optional<Instant>> crossings(TestCase spec, Query query, Instant from, Instant to,
                                                            Duration interval) {
        Map<String, Optional<Instant>> out = new HashMap<>();
        for (Expectation e : spec.expect()) {
            if (e.crossing() != null && !out.containsKey(e.crossing())) {
                out.put(e.crossing(), first(e.crossing(), query, from, to, interval));
            }
        }
        return out;
    }

    private static Optional<Instant> first(String promql, Query query, Instant from, Instant to, Duration interval) {
        for (Instant t = from; !t.isAfter(to); t = t.plus(interval)) {
            if (query.at(promql, t).await().stream().anyMatch(s -> !Double.isNaN(s.value()))) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    static Release release(ReleaseSpec spec) {
        return Release.hypothetical("test", Objects.requireNonNull(spec.service(), "release.service is required"),
                spec.version() == null ? "new" : spec.version(), spec.previousVersion(),
                spec.environment() == null ? "production" : spec.environment(),
                spec.labels() == null ? Map.of() : spec.labels(),
                RuleTestCommand.ORIGIN.plus(spec.at()));
    }

    static String openMetrics(List<InputSeries> input, Duration step) {
        Map<String, String> series = new LinkedHashMap<>();
        input.forEach(s -> series.merge(s.series(), s.values(), (a, b) -> a + " " + b));
        return SeriesNotation.openMetrics(series, RuleTestCommand.ORIGIN, step);
    }
}
