package dev.watchdog.metrics;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.core.Version;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.OutboxEntry;
import dev.watchdog.machine.Watch;
import dev.watchdog.release.RollbackRecord;
import dev.watchdog.rules.RuleSet;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The watchdog's own metrics (prefix {@code watchdog_}). Per-release series are removed when the
 * release ends, so that label sets stay bounded by the number of open releases; they keep no
 * exemplars, which would cost more than the series themselves at thousands of releases.
 */
public final class WatchdogMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final Gauge releases = Gauge.builder().name("watchdog_releases")
            .help("Releases the watchdog holds now, by state (watched, rolling back, a failed rollback awaiting a decision, a rollback being verified)").labelNames("state").register(registry);
    private final Counter releasesEnded = Counter.builder().name("watchdog_releases_ended_total")
            .help("Releases that left the watch, by final state").labelNames("state").register(registry);
    private final Counter evaluations = Counter.builder().name("watchdog_evaluations_total")
            .help("Evaluation ticks completed").register(registry);
    /** What a metric family's samples add to its name in the text format. */
    private static final Set<String> SUFFIXES = Set.of("_total", "_count", "_sum", "_bucket", "_created", "_info");
    /** Bounds for the release timings: seconds to a day. */
    private static final double[] TIMES = {1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400};

    private final Histogram evaluationDuration = Histogram.builder().name("watchdog_evaluation_duration_seconds")
            .help("Time to evaluate every open release in one tick").classicOnly().register(registry);
    private final Counter judged = Counter.builder().name("watchdog_judged_releases_total")
            .help("Releases judged: one per release whose rules were observed in a tick").register(registry);
    private final Gauge lastSuccess = Gauge.builder().name("watchdog_last_successful_evaluation_timestamp_seconds")
            .help("When a tick last completed with every query answered (for a dead man's switch)").register(registry);
    private final Counter queries = Counter.builder().name("watchdog_prometheus_queries_total")
            .help("Queries sent to Prometheus by outcome").labelNames("outcome").register(registry);
    private final Counter warnings = Counter.builder().name("watchdog_prometheus_warnings_total")
            .help("Answers from Prometheus that carried warnings (partial data): judged inconclusive").register(registry);
    private final Histogram queryDuration = Histogram.builder().name("watchdog_prometheus_query_duration_seconds")
            .help("Prometheus query latency").classicOnly().register(registry);
    private final Counter rollbacks = Counter.builder().name("watchdog_rollbacks_total")
            .help("Rollbacks by outcome (requested, succeeded, failed)").labelNames("outcome").register(registry);
    private final Counter webhookAttempts = Counter.builder().name("watchdog_webhook_attempts_total")
            .help("Outbound webhook attempts by kind and outcome").labelNames("kind", "outcome").register(registry);

    private final Gauge escalationLevel = Gauge.builder().name("watchdog_escalation_level")
            .help("Escalation level of each open incident (0 before level 1 is notified)")
            .labelNames("release", "incident", "severity", "status").withoutExemplars().register(registry);
    private final Counter notifications = Counter.builder().name("watchdog_notifications_total")
            .help("Notifications by receiver and outcome (sent, failed, dropped, resent)").labelNames("receiver", "outcome")
            .register(registry);
    private final Gauge receiverFailing = Gauge.builder().name("watchdog_receiver_failing")
            .help("1 while a receiver's last delivery failed").labelNames("receiver").register(registry);
    private final Gauge prometheusUp = Gauge.builder().name("watchdog_prometheus_up")
            .help("1 when Prometheus itself answered the last query (probed every interval even with no release watched)")
            .register(registry);
    private final Counter storeErrors = Counter.builder().name("watchdog_store_errors_total")
            .help("Store operations that failed").labelNames("operation").register(registry);
    private final Gauge leader = Gauge.builder().name("watchdog_leader")
            .help("1 on the replica that evaluates and acts, 0 elsewhere").register(registry);
    private final Gauge buildInfo = Gauge.builder().name("watchdog_build_info")
            .help("The watchdog's version").labelNames("version").register(registry);
    private final Gauge reloadOk = Gauge.builder().name("watchdog_config_last_reload_successful")
            .help("1 if the last reload of config and rules succeeded").register(registry);
    private final Gauge outboxPending = Gauge.builder().name("watchdog_outbox_pending")
            .help("Effects stored but not yet performed, by kind").labelNames("kind").register(registry);
    private final Counter incidentsOpened = Counter.builder().name("watchdog_incidents_opened_total")
            .help("Incidents opened, by severity at opening").labelNames("severity").register(registry);
    private final Histogram timeToDetect = Histogram.builder().name("watchdog_time_to_detect_seconds")
            .help("From a release's start to its incident opening").classicUpperBounds(TIMES).register(registry);
    private final Histogram timeToAcknowledge = Histogram.builder().name("watchdog_time_to_acknowledge_seconds")
            .help("From an incident opening to its acknowledgement").classicUpperBounds(TIMES).register(registry);
    private final Histogram timeToRollback = Histogram.builder().name("watchdog_time_to_rollback_seconds")
            .help("From an incident opening (or the decision, without one) to its rollback being done")
            .classicUpperBounds(TIMES).register(registry);

    private final RuleSeries ruleSeries;
    private final Dora dora = new Dora(registry);

    public WatchdogMetrics() {
        this(WatchdogConfig.RuleSeries.ALL);
    }

    /** {@code which}: the rules of a release that have per-release series. */
    public WatchdogMetrics(WatchdogConfig.RuleSeries which) {
        ruleSeries = new RuleSeries(registry, which);
        JvmMetrics.builder().register(registry);
        for (Release.State state : Release.State.values()) {
            releases.labelValues(state.label()).set(0);
        }
        for (String kind : new String[] {"notify", "rollback", "silence"}) {
            outboxPending.labelValues(kind).set(0);
        }
        buildInfo.labelValues(Version.current()).set(1);
        leader.set(1);
        reloadOk.set(1);
        countersAtZero();
    }

    /** Counters exported at 0 from the start, so that increase() and rate() count the first event. */
    private void countersAtZero() {
        for (Release.State state : Release.State.values()) {
            if (!state.open()) {
                releasesEnded.labelValues(state.label()).inc(0);
            }
        }
        for (String outcome : new String[] {"requested", "succeeded", "failed"}) {
            rollbacks.labelValues(outcome).inc(0);
        }
        for (String outcome : new String[] {"success", "api", "timeout", "network", "bad_response"}) {
            queries.labelValues(outcome).inc(0);
        }
        warnings.inc(0);
        judged.inc(0);
        for (String operation : new String[] {"write", "read"}) {
            storeErrors.labelValues(operation).inc(0);
        }
    }

    /**
     * After a tick: how many releases are held by state ({@code byState}, all of them, whoever leads
     * them), and the per-release series of the releases this replica leads ({@code led}); series of
     * releases it no longer leads are removed, so that label sets stay bounded. Each step writes its
     * release's rule series as it is stored; here only those never written (after a restart).
     */
    public void held(Collection<Watch> led, Map<String, Long> byState, RuleSet rules) {
        for (Release.State state : Release.State.values()) {
            releases.labelValues(state.label()).set(byState.getOrDefault(state.label(), 0L));
        }
        led.stream().filter(w -> !ruleSeries.has(w.id())).forEach(w -> ruleSeries.update(w, rules));
        ruleSeries.keepOnly(led);
        escalationLevel.clear();
        led.stream().map(Watch::incident).filter(i -> i != null && i.open()).forEach(i -> escalationLevel
                .labelValues(i.releaseId(), i.id(), i.severity().name(), i.status().label()).set(i.level()));
    }

    /** Sets every per-release series from these releases, all held by this replica (at start, and in tests). */
    public void held(Collection<Watch> held, RuleSet rules) {
        held(held, held.stream().collect(Collectors.groupingBy(w -> w.release().state().label(), Collectors.counting())),
                rules);
    }

    /** One release changed: the milestones it passed are observed, and its series updated. */
    public void changed(@Nullable Watch before, Watch after, RuleSet rules) {
        dora.changed(before, after);
        Incident was = before == null ? null : before.incident();
        Incident is = after.incident();
        if (is != null && (was == null || !was.id().equals(is.id()))) {
            incidentsOpened.labelValues(is.severity().name()).inc();
            timeToDetect.observe(seconds(after.release().startedAt(), is.openedAt()));
        }
        if (is != null && is.acknowledged() != null && (was == null || !was.id().equals(is.id())
                || was.acknowledged() == null)) {
            timeToAcknowledge.observe(seconds(is.openedAt(), is.acknowledged().at()));
        }
        RollbackRecord rb = after.rollback();
        boolean done = rb != null && Boolean.TRUE.equals(rb.succeeded());
        if (rb != null && done
                && (before == null || before.rollback() == null || !Boolean.TRUE.equals(before.rollback().succeeded()))) {
            Instant answered = Objects.requireNonNull(rb.answeredAt(), "a rollback that succeeded was answered");
            timeToRollback.observe(seconds(is != null ? is.openedAt() : rb.requestedAt(), answered));
        }
        if (before != null && before.held() && !after.held()) {
            releasesEnded.labelValues(after.release().state().label()).inc();
            ruleSeries.remove(after.id());
            escalationLevel.removeIf(labels -> labels.get(0).equals(after.id()));
        }
        if (after.held()) {
            ruleSeries.update(after, rules);
        }
    }

    private static double seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis() / 1000.0);
    }

    public void storeError(String operation) {
        storeErrors.labelValues(operation).inc();
    }

    public void leader(boolean leads) {
        leader.set(leads ? 1 : 0);
    }

    public void reloaded(boolean ok) {
        reloadOk.set(ok ? 1 : 0);
    }

    /** The outbox's pending effects by kind, as last read. */
    public void outboxPending(List<OutboxEntry> pending) {
        for (String kind : new String[] {"notify", "rollback", "silence"}) {
            outboxPending.labelValues(kind).set((double) pending.stream().filter(e -> e.effect().kind().equals(kind)).count());
        }
    }

    public void notification(String receiver, String outcome) {
        notifications.labelValues(receiver, outcome).inc();
        if (!outcome.equals("dropped")) {
            receiverFailing.labelValues(receiver).set(outcome.equals("sent") ? 0 : 1);
        }
    }

    /** The store's count of release rows written: a tick that changes nothing writes none. */
    public void releasesWritten(LongSupplier written) {
        CounterWithCallback.builder().name("watchdog_store_release_writes_total")
                .help("Release rows written to the store: a release is written when what must be durable changes")
                .callback(cb -> cb.call((double) written.getAsLong())).register(registry);
    }

    /** How many releases a tick judged. */
    public void judged(int releases) {
        judged.inc(releases);
    }

    public void evaluated(double seconds, boolean allAnswered, Instant at) {
        evaluations.inc();
        evaluationDuration.observe(seconds);
        if (allAnswered) {
            lastSuccess.set(at.toEpochMilli() / 1000.0);
        }
    }

    /**
     * A query's outcome; any answer from Prometheus itself, even an error, shows it is up ({@code
     * fromPrometheus}); a timeout, a refused connection, or a page from something else in its place do not.
     */
    public void query(String outcome, boolean fromPrometheus, double seconds) {
        queries.labelValues(outcome).inc();
        prometheusUp.set(fromPrometheus ? 1 : 0);
        queryDuration.observe(seconds);
    }

    /** An answer carried warnings: partial data, not judged. */
    public void prometheusWarnings() {
        warnings.inc();
    }

    public void rollback(String outcome) {
        rollbacks.labelValues(outcome).inc();
    }

    public void webhookAttempt(String kind, String outcome) {
        webhookAttempts.labelValues(kind, outcome).inc();
    }

    /** The exposition text, as {@code /metrics} serves it. */
    public String scrape() {
        return scrape(List.of());
    }

    /**
     * The exposition text of the metrics named (all for none), as {@code /metrics?name[]=...} serves
     * it, as the Prometheus Java client's own exporters do: a name is a metric's family name or one of
     * the names it is written under ({@code _total}, {@code _count}, {@code _sum}, {@code _bucket}).
     */
    public String scrape(List<String> names) {
        Predicate<String> named = family -> names.isEmpty() || names.stream().anyMatch(n -> n.equals(family)
                || (n.startsWith(family) && SUFFIXES.contains(n.substring(family.length()))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape(named));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
