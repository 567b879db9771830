package dev.watchdog.evaluation;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What a tick asks Prometheus: every due rule of every release that is judged now (identical
 * queries once per tick; a {@code select} rule's query once for all releases, each release finding
 * its series in an index of the answer). It decides nothing: what was seen goes to the state
 * machine as input. A tick's cost grows with its distinct queries, not releases times rules.
 */
public final class Evaluator {

    private final PrometheusClient prometheus;
    private final Duration defaultInterval;

    public Evaluator(PrometheusClient prometheus, Duration defaultInterval) {
        this.prometheus = prometheus;
        this.defaultInterval = defaultInterval;
    }

    /** A release to observe: its rules' last states, and which of its rules are judged. */
    public record Subject(Release release, Map<String, RuleState> states, Predicate<String> judged) {}

    /**
     * What each subject's due rules see at {@code now}: per subject, each due rule's observation, each
     * on its own, so that one slow query holds up only its own rule. They never fail: a failed query is
     * an observation.
     */
    public List<Map<String, Future<Observation>>> observe(RuleSet rules, List<Subject> subjects, Instant now) {
        PrometheusClient.Batch batch = prometheus.batch(now);
        return subjects.stream().map(s -> observe(rules, s, batch, now)).toList();
    }

    /**
     * What every rule of a release being registered sees now, on the service as it stands before the
     * release: for the registration's answer and its first message. Never fails.
     */
    public Future<Map<String, Observation>> before(RuleSet rules, Release release, Instant now) {
        Map<String, Future<Observation>> seen = observe(rules, List.of(new Subject(release, Map.of(), name -> true)), now)
                .get(0);
        return Future.all(List.copyOf(seen.values())).map(x -> {
            Map<String, Observation> out = new LinkedHashMap<>();
            seen.forEach((rule, f) -> out.put(rule, f.result()));
            return out;
        });
    }

    private Map<String, Future<Observation>> observe(RuleSet rules, Subject subject, PrometheusClient.Batch batch,
                                                     Instant now) {
        Map<String, Future<Observation>> seen = new LinkedHashMap<>();
        for (Rule rule : rules.forRelease(subject.release()).rules()) {
            RuleState prev = subject.states().getOrDefault(rule.name(),
                    RuleState.initial(rule.name(), subject.release().startedAt()));
            if (subject.judged().test(rule.name()) && due(rule, prev, now)) {
                seen.put(rule.name(), Observer.observe(rule, subject.release(), prev, batch, now));
            }
        }
        return seen;
    }

    private boolean due(Rule rule, RuleState prev, Instant now) {
        if (prev.evaluatedAt() == null || forRunsOut(rule, prev, now)) {
            return true;
        }
        Duration interval = rule.measure().interval().orElse(defaultInterval);
        // Half a tick of slack, so that timer jitter does not skip a whole interval.
        return !prev.evaluatedAt().plus(interval).minus(defaultInterval.dividedBy(2)).isAfter(now);
    }

    /** A pending rule is judged again the moment its {@code for} runs out, not at the next interval. */
    private static boolean forRunsOut(Rule rule, RuleState prev, Instant now) {
        return pendingUntil(rule, prev).anyMatch(due -> !due.isAfter(now));
    }

    /** When a pending rule's {@code for} runs out: for each severity above the level it has reached. */
    private static Stream<Instant> pendingUntil(Rule rule, RuleState s) {
        if (s.outcome() != Outcome.PENDING) {
            return Stream.empty();
        }
        Stream<Instant> p1 = s.level() == Severity.NONE && s.p1Since() != null ? Stream.of(s.p1Since()) : Stream.empty();
        Stream<Instant> p0 = s.level() != Severity.P0 && s.p0Since() != null ? Stream.of(s.p0Since()) : Stream.empty();
        return Stream.concat(p1, p0).map(since -> since.plus(rule.judgement().forDuration()));
    }

    /** The next moment after {@code now} a release's pending rule runs out of {@code for}; null if none. */
    public static @Nullable Instant nextDue(Map<String, RuleState> states, RuleSet rules, Instant now) {
        return states.values().stream()
                .flatMap(s -> rules.byName(s.rule()).stream().flatMap(r -> pendingUntil(r, s)))
                .filter(due -> due.isAfter(now)).min(Instant::compareTo).orElse(null);
    }

    /** Whether Prometheus answers at all, for the watchdog's own health when no release is watched. */
    public Future<Boolean> probe(Instant now) {
        return prometheus.query("vector(1)", now).map(x -> true).otherwise(false);
    }
}
