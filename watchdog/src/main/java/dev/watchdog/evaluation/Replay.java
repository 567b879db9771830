package dev.watchdog.evaluation;

import dev.watchdog.core.Release;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.Query;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A past window judged as the daemon would have judged it, step by step at each rule's interval,
 * with nothing notified and nothing rolled back. Blocking: for the CLI, never an event loop.
 */
public final class Replay {

    private Replay() {}

    /** One rule's states at every step. */
    public record RuleTimeline(Rule rule, Duration interval, List<RuleState> states) {

        public RuleTimeline {
            states = List.copyOf(states);
        }

        /** Whether the rule had anything to judge at any step. */
        public boolean everJudged() {
            return states.stream().anyMatch(RuleState::everJudged);
        }

        /** The states at which the outcome changed. */
        public List<RuleState> changes() {
            List<RuleState> out = new ArrayList<>();
            for (RuleState s : states) {
                if (out.isEmpty() || out.get(out.size() - 1).outcome() != s.outcome()) {
                    out.add(s);
                }
            }
            return out;
        }

        /** When the rule first counted at least this severity, or null. */
        public @Nullable Instant first(Severity severity) {
            return states.stream().filter(s -> s.level().compareTo(severity) >= 0).map(RuleState::evaluatedAt)
                    .findFirst().orElse(null);
        }

        /** The state in force at {@code t}: the last evaluation at or before it. */
        public @Nullable RuleState at(Instant t) {
            RuleState found = null;
            for (RuleState s : states) {
                if (Objects.requireNonNull(s.evaluatedAt(), "a replayed state was evaluated").isAfter(t)) {
                    break;
                }
                found = s;
            }
            return found;
        }
    }

    /** Judges every rule that applies from the release's start to {@code to}; {@code queries} gives the query for an interval. */
    public static Map<String, RuleTimeline> run(RuleSet rules, Release release, Instant to, Duration defaultInterval,
                                                Function<Duration, Query> queries) {
        Map<String, RuleTimeline> out = new LinkedHashMap<>();
        Map<Duration, Query> byInterval = new HashMap<>();
        for (Rule rule : rules.forRelease(release).rules()) {
            Duration interval = rule.measure().interval().orElse(defaultInterval);
            Query query = byInterval.computeIfAbsent(interval, queries);
            RuleState state = RuleState.initial(rule.name(), release.startedAt());
            List<RuleState> states = new ArrayList<>();
            for (Instant t = release.startedAt(); !t.isAfter(to); t = t.plus(interval)) {
                Observation seen = Observer.observe(rule, release, state, query, t).await();
                state = Judge.judge(rule, state, seen, t, release.startedAt());
                states.add(state);
            }
            out.put(rule.name(), new RuleTimeline(rule, interval, states));
        }
        return out;
    }
}
