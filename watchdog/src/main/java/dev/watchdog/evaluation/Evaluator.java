package dev.watchdog.evaluation;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.Batch;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.prometheus.Selection;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleSet;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What a tick asks Prometheus: every due rule of every release that is judged now (identical
 * queries once per tick; a {@code select} rule's query once for all releases, each release finding
 * its series in an index of the answer by its selected values). It decides nothing: what was seen
 * goes to the state machine as input. A tick's cost grows with its distinct queries and the rules
 * judged, with no future per rule and release: see {@link Sweep}.
 */
public final class Evaluator {

    /** How many releases' rules are looked at together: see {@link #observe}. */
    static final int GROUP = 1000;

    private final PrometheusClient prometheus;
    private final Duration defaultInterval;
    private volatile @Nullable Selects selects;

    public Evaluator(PrometheusClient prometheus, Duration defaultInterval) {
        this.prometheus = prometheus;
        this.defaultInterval = defaultInterval;
    }

    /**
     * A release to observe: its rules' last states, and which of its rules are judged. {@code takenAt}:
     * when this replica took the release's shard over from another that may have judged it until then
     * (null if not lately): none of its rules is due before half an interval after that, but a
     * pending rule whose {@code for} runs out.
     */
    public record Subject(Release release, Map<String, RuleState> states, Predicate<String> judged,
                          @Nullable Instant takenAt) {}

    /**
     * Where a release's observations go, on the tick's context: those of all its due rules together,
     * once the last is in; or, for a release still waiting when {@link Observing#late} is called, what
     * is in by then (perhaps nothing), and then each later one on its own.
     */
    @FunctionalInterface
    public interface Sink {
        void seen(String releaseId, Map<String, Observation> seen);
    }

    /** A tick's observing under way. */
    public static final class Observing {
        private final List<String> idle;
        private final Future<Boolean> done;
        private final Sweep sweep;

        Observing(List<String> idle, Future<Boolean> done, Sweep sweep) {
            this.idle = idle;
            this.done = done;
            this.sweep = sweep;
        }

        /** The releases none of whose rules is due now. */
        public List<String> idle() {
            return idle;
        }

        /** Completes once every observation has gone to the sink: true if every query was answered. */
        public Future<Boolean> done() {
            return done;
        }

        /**
         * How long no answer has come in (since the last did, or since observing began): answers that
         * keep coming are a fleet being read, a silence while releases wait is a query stalled.
         */
        public Duration quiet() {
            return sweep.quiet();
        }

        /**
         * The releases still waiting for an answer get what is in now (nothing, for those with no
         * answer at all: their time-driven work goes on without); each later observation goes on its own.
         */
        public void late() {
            sweep.late();
        }
    }

    /**
     * Observes each subject's due rules at {@code now}. A release's observations go to {@code sink}
     * together as soon as the answers all its due rules need are in, so that one slow query holds up
     * only the releases whose rules need it; see {@link Observing#late} for those still waiting.
     * Observations never fail: a failed query is an observation. The subjects are observed
     * {@link #GROUP} at a time, every query sent at once: the next group's rules are looked at once
     * the last group's observations are all in the sink and {@code drained} (called then) completes,
     * so that a fleet's tick holds one group's looks and observations at a time, not the fleet's.
     * Call on the tick's context.
     */
    public Observing observe(RuleSet rules, List<Subject> subjects, Instant now, Sink sink, Supplier<Future<?>> drained) {
        return observe(rules, subjects, now, sink, false, drained);
    }

    /**
     * What every rule of a release being registered sees now, on the service as it stands before the
     * release: for the registration's answer and its first message. A select rule's query is narrowed
     * by Prometheus to the release's series: one registration does not read the fleet's answer.
     * Never fails.
     */
    public Future<Map<String, Observation>> before(RuleSet rules, Release release, Instant now) {
        Map<String, Observation> seen = new LinkedHashMap<>();
        Subject subject = new Subject(release, Map.of(), name -> true, null);
        return observe(rules, List.of(subject), now, (id, in) -> seen.putAll(in), true, Future::succeededFuture).done()
                .map(x -> seen);
    }

    /** A subject with a due rule: its target, its due rules, and what each of its selections picks (see {@link #selection}). */
    private static final class Planned {
        final Subject subject;
        final Target target;
        final List<Rule> due;
        final Object[] selections;

        Planned(Subject subject, Target target, List<Rule> due, Object[] selections) {
            this.subject = subject;
            this.target = target;
            this.due = due;
            this.selections = selections;
        }
    }

    private Observing observe(RuleSet rules, List<Subject> subjects, Instant now, Sink sink, boolean narrow,
                              Supplier<Future<?>> drained) {
        Batch batch = prometheus.batch(now);
        Sweep sweep = new Sweep(batch, now, sink, narrow);
        Selects known = selects(rules);
        Map<List<String>, Map<List<String>, List<String>>> wanted = new HashMap<>();
        List<@Nullable Planned> planned = new ArrayList<>();
        List<String> idle = new ArrayList<>();
        for (Subject subject : subjects) {
            Target target = new Target(subject.release());
            boolean settling = subject.takenAt() != null && now.isBefore(judgedFrom(subject.takenAt()));
            List<Rule> due = dueRules(rules, subject, settling, now);
            if (due.isEmpty()) {
                idle.add(subject.release().id());
                continue;
            }
            Object[] selections = new Object[known.count()];
            for (Rule rule : due) {
                int select = known.of(rule);
                if (select >= 0 && selections[select] == null) {
                    selections[select] = selection(rule, known.labels().get(select), target, wanted);
                }
            }
            planned.add(new Planned(subject, target, due, selections));
        }
        // Every key wanted before any query is sent: the answers are read once for all groups.
        wanted.forEach((labels, keys) -> batch.want(labels, keys.keySet()));
        int groups = (planned.size() + GROUP - 1) / GROUP;
        return new Observing(idle, sweep.start(groups, g -> {
            List<Look> looks = new ArrayList<>();
            for (int i = g * GROUP; i < Math.min(planned.size(), (g + 1) * GROUP); i++) {
                Planned p = Objects.requireNonNull(planned.set(i, null), "a group looked at twice");
                for (Rule rule : p.due) {
                    int select = known.of(rule);
                    Object selection = select < 0 ? null : p.selections[select];
                    looks.add(sweep.look(p.target, rule, state(p.subject, rule),
                            selection instanceof Selection.Selector s ? s : null,
                            selection instanceof RuntimeException e ? e : null, known.swept().contains(rule)));
                }
            }
            return looks;
        }, drained), sweep);
    }

    /** The rules of a subject judged and due now, in the rule set's order. */
    private List<Rule> dueRules(RuleSet rules, Subject subject, boolean settling, Instant now) {
        List<Rule> due = new ArrayList<>();
        for (Rule rule : rules.forRelease(subject.release()).rules()) {
            if (subject.judged().test(rule.name()) && due(rule, state(subject, rule), settling, now)) {
                due.add(rule);
            }
        }
        return due;
    }

    private static RuleState state(Subject subject, Rule rule) {
        RuleState prev = subject.states().get(rule.name());
        return prev != null ? prev : RuleState.initial(rule.name(), subject.release().startedAt());
    }

    /**
     * What a select rule picks of its answers for this release: the selector, its values one shared
     * instance per distinct key (the numbering of the answers' keys holds these, not copies); or why it cannot be
     * rendered.
     */
    private static Object selection(Rule rule, List<String> labels, Target target,
                                    Map<List<String>, Map<List<String>, List<String>>> wanted) {
        try {
            List<String> values = List.copyOf(rule.scope().values(target.values()));
            List<String> shared = wanted.computeIfAbsent(labels, k -> new HashMap<>()).putIfAbsent(values, values);
            return new Selection.Selector(labels, shared != null ? shared : values);
        } catch (IllegalArgumentException e) {
            return e;
        }
    }

    private Selects selects(RuleSet rules) {
        Selects known = selects;
        if (known == null || known.rules() != rules) {
            known = Selects.of(rules);
            selects = known;
        }
        return known;
    }

    /**
     * The distinct selections of a rule set's select rules (by labels and value templates), numbered:
     * a release renders each once a tick, however many rules share it; and the rules the sweep reads
     * itself ({@link Sweep#swept}).
     */
    private record Selects(RuleSet rules, IdentityHashMap<Rule, Integer> index, List<List<String>> labels,
                           Set<Rule> swept) {
        static Selects of(RuleSet rules) {
            Map<List<String>, Integer> seen = new HashMap<>();
            Map<List<String>, List<String>> sameLabels = new HashMap<>();
            List<List<String>> labels = new ArrayList<>();
            IdentityHashMap<Rule, Integer> index = new IdentityHashMap<>();
            Set<Rule> swept = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Rule rule : rules.rules()) {
                if (Look.swept(rule)) {
                    swept.add(rule);
                }
                if (rule.scope().selects()) {
                    List<String> signature = new ArrayList<>(rule.scope().labels());
                    rule.scope().labels().forEach(l -> signature.add(String.valueOf(rule.scope().select().get(l))));
                    index.put(rule, seen.computeIfAbsent(signature, k -> {
                        labels.add(sameLabels.computeIfAbsent(rule.scope().labels(), x -> x));
                        return seen.size();
                    }));
                }
            }
            return new Selects(rules, index, List.copyOf(labels), swept);
        }

        int count() {
            return labels.size();
        }

        int of(Rule rule) {
            Integer i = index.get(rule);
            return i == null ? -1 : i;
        }
    }

    /** {@code settling}: the release's shard was taken over less than {@link #judgedFrom} ago. */
    private boolean due(Rule rule, RuleState prev, boolean settling, Instant now) {
        if (forRunsOut(rule, prev, now)) {
            return true;
        }
        if (settling) {
            return false;
        }
        if (prev.evaluatedAt() == null) {
            return true;
        }
        Duration interval = rule.measure().interval().orElse(defaultInterval);
        // Half a tick of slack, so that timer jitter does not skip a whole interval.
        long dueMillis = prev.evaluatedAt().toEpochMilli() + interval.toMillis() - defaultInterval.toMillis() / 2;
        return dueMillis <= now.toEpochMilli();
    }

    /**
     * When the rules of a release whose shard was taken over at {@code takenAt} are first due: half
     * an interval later, as if its last leader had judged it at that moment.
     */
    public Instant judgedFrom(Instant takenAt) {
        return takenAt.plus(defaultInterval.dividedBy(2));
    }

    /** A pending rule is judged again the moment its {@code for} runs out, not at the next interval. */
    private static boolean forRunsOut(Rule rule, RuleState prev, Instant now) {
        return prev.outcome() == Outcome.PENDING && pendingUntil(rule, prev).anyMatch(due -> !due.isAfter(now));
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

    /** When each pending rule of a release runs out of {@code for}, for each severity above the level it has reached. */
    public static Stream<Instant> pendingUntil(Map<String, RuleState> states, RuleSet rules) {
        return states.values().stream().filter(s -> s.outcome() == Outcome.PENDING).flatMap(s -> rules.byName(s.rule())
                .map(rule -> pendingUntil(rule, s)).orElse(Stream.empty()));
    }

    /** Whether Prometheus answers at all, for the watchdog's own health when no release is watched. */
    public Future<Boolean> probe(Instant now) {
        return prometheus.query("vector(1)", now).map(x -> true).otherwise(false);
    }
}
