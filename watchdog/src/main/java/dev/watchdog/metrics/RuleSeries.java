package dev.watchdog.metrics;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.judge.RuleState;
import dev.watchdog.machine.Watch;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.rules.Threshold;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The series of each rule of each held release: value, baseline, outcome, thresholds. A fleet holds
 * thousands of releases of twenty rules each, so a series is written only when what it shows has
 * changed, the outcome is one series (the current one, at 1) rather than one per outcome, and no
 * series keeps exemplars. Series of a release that is no longer held are removed. With
 * {@code ruleSeries: notOk}, only rules whose outcome is not ok or waiting have series, and at most
 * {@link #MOST} rules at once: when Prometheus is down for a whole fleet every rule is inconclusive,
 * and their series would take more memory than the fleet itself; the rules left out are counted.
 */
final class RuleSeries {

    private static final String[] RULE_LABELS = {"release", "service", "environment", "rule"};

    private final Gauge value;
    private final Gauge baseline;
    private final Gauge outcome;
    private final Gauge threshold;
    /** What was last written, by release and rule. */
    private final Map<String, Written> shown = new ConcurrentHashMap<>();

    /** What the series of one rule show. */
    private record Shown(Outcome outcome, @Nullable Double value, @Nullable Double baseline, @Nullable Double p1,
                         @Nullable Double p0) {}

    /**
     * A release's label values, kept from the first time it was written: every series of the release
     * shares these strings, rather than each holding the copies of the read that wrote it.
     */
    private record Written(String id, String service, String environment, Map<String, Shown> rules) {}

    /** With notOk, the most rules that have series at once (five series each, at most). */
    static final int MOST = 10_000;

    private final boolean all;
    private final int most;
    /** Rules with series now. */
    private final AtomicInteger rulesShown = new AtomicInteger();
    /** By release: its rules not ok that have no series, because {@link #MOST} had them. */
    private final Map<String, Integer> leftOut = new ConcurrentHashMap<>();

    RuleSeries(PrometheusRegistry registry, WatchdogConfig.RuleSeries which) {
        this(registry, which, MOST);
    }

    RuleSeries(PrometheusRegistry registry, WatchdogConfig.RuleSeries which, int most) {
        this.all = which == WatchdogConfig.RuleSeries.ALL;
        this.most = most;
        value = Gauge.builder().name("watchdog_rule_value").help("Last measured value of a rule for a release (the worst series)")
                .labelNames(RULE_LABELS).withoutExemplars().register(registry);
        baseline = Gauge.builder().name("watchdog_rule_baseline")
                .help("The baseline the last value was compared with (rules with a baseline)")
                .labelNames(RULE_LABELS).withoutExemplars().register(registry);
        outcome = Gauge.builder().name("watchdog_rule_outcome")
                .help("The current outcome of a rule for a release, as its outcome label, at 1")
                .labelNames("release", "service", "environment", "rule", "outcome").withoutExemplars().register(registry);
        threshold = Gauge.builder().name("watchdog_rule_threshold")
                .help("The value a rule's P1 or P0 threshold stands at for a release (relative ones move with the baseline)")
                .labelNames("release", "service", "environment", "rule", "severity").withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("watchdog_rules_without_series")
                .help("Rules not ok that have no per-release series: with ruleSeries notOk, at most " + most + " rules have them")
                .callback(cb -> cb.call(leftOut.values().stream().mapToInt(Integer::intValue).sum())).register(registry);
    }

    /** Writes what changed of a held release's rules. */
    void update(Watch w, RuleSet rules) {
        if (!all && quiet(w) && !shown.containsKey(w.id())) {
            return;
        }
        Release r = w.release();
        Written release = shown.computeIfAbsent(w.id(), k -> new Written(r.id(), r.service(), r.environment(),
                new ConcurrentHashMap<>()));
        int left = 0;
        for (RuleState state : w.rules().values()) {
            if (!all && (state.outcome() == Outcome.OK || state.outcome() == Outcome.WAITING)) {
                forget(release, state.rule());
                continue;
            }
            Optional<Rule> rule = rules.byName(state.rule());
            String name = rule.map(Rule::name).orElse(state.rule());
            if (!all && !release.rules().containsKey(name) && rulesShown.get() >= most) {
                left++;
                continue;
            }
            Shown now = new Shown(state.outcome(), state.value(), state.baseline(), limit(rule.flatMap(x -> x.judgement().p1()), state),
                    limit(rule.flatMap(x -> x.judgement().p0()), state));
            Shown was = release.rules().put(name, now);
            if (was == null) {
                rulesShown.incrementAndGet();
            }
            if (!now.equals(was)) {
                write(new String[] {release.id(), release.service(), release.environment(), name}, was, now);
            }
        }
        if (left > 0) {
            leftOut.put(w.id(), left);
        } else {
            leftOut.remove(w.id());
        }
    }

    /** Every rule ok or waiting: with {@code notOk}, a release that has no series gets none. */
    private static boolean quiet(Watch w) {
        for (RuleState state : w.rules().values()) {
            if (state.outcome() != Outcome.OK && state.outcome() != Outcome.WAITING) {
                return false;
            }
        }
        return true;
    }

    /** A rule that has no series any more (notOk, and it is ok again): its series are removed. */
    private void forget(Written release, String rule) {
        Shown was = release.rules().remove(rule);
        if (was != null) {
            rulesShown.decrementAndGet();
            String[] labels = {release.id(), release.service(), release.environment(), rule};
            value.remove(labels);
            baseline.remove(labels);
            outcome.remove(with(labels, was.outcome().label()));
            threshold.remove(with(labels, "p1"));
            threshold.remove(with(labels, "p0"));
        }
    }

    private void write(String[] labels, @Nullable Shown was, Shown now) {
        if (was == null || !Objects.equals(was.value(), now.value())) {
            set(value, labels, now.value());
        }
        if (was == null || !Objects.equals(was.baseline(), now.baseline())) {
            set(baseline, labels, now.baseline());
        }
        if (was == null || was.outcome() != now.outcome()) {
            if (was != null) {
                outcome.remove(with(labels, was.outcome().label()));
            }
            outcome.labelValues(with(labels, now.outcome().label())).set(1);
        }
        if (was == null || !Objects.equals(was.p1(), now.p1())) {
            set(threshold, with(labels, "p1"), now.p1());
        }
        if (was == null || !Objects.equals(was.p0(), now.p0())) {
            set(threshold, with(labels, "p0"), now.p0());
        }
    }

    /** Removes the series of every release not among {@code held}. */
    void keepOnly(Collection<Watch> held) {
        Set<String> gone = new HashSet<>(shown.keySet());
        held.forEach(w -> gone.remove(w.id()));
        if (!gone.isEmpty()) {
            gone.forEach(this::dropped);
            List.of(value, baseline, outcome, threshold).forEach(g -> g.removeIf(labels -> gone.contains(labels.get(0))));
        }
    }

    /** Removes one release's series: it ended. */
    void remove(String releaseId) {
        dropped(releaseId);
        List.of(value, baseline, outcome, threshold).forEach(g -> g.removeIf(labels -> labels.get(0).equals(releaseId)));
    }

    private void dropped(String releaseId) {
        Written was = shown.remove(releaseId);
        if (was != null) {
            rulesShown.addAndGet(-was.rules().size());
        }
        leftOut.remove(releaseId);
    }

    /** Whether the release's series have been written at all (after a restart, not until its first step). */
    boolean has(String releaseId) {
        return shown.containsKey(releaseId);
    }

    private static @Nullable Double limit(Optional<Threshold> t, RuleState state) {
        return t.map(x -> x.limit(state.baseline())).orElse(null);
    }

    private static String[] with(String[] labels, String last) {
        return new String[] {labels[0], labels[1], labels[2], labels[3], last};
    }

    private static void set(Gauge gauge, String[] labels, @Nullable Double v) {
        if (v == null || v.isNaN()) {
            gauge.remove(labels);
        } else {
            gauge.labelValues(labels).set(v);
        }
    }
}
