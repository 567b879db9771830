package dev.watchdog.metrics;

import dev.watchdog.evaluation.Outcome;
import dev.watchdog.evaluation.RuleState;
import dev.watchdog.release.Release;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;

/**
 * The watchdog's own metrics (prefix {@code watchdog_}). Per-release series are removed when the
 * release ends, so that label sets stay bounded by the number of open releases.
 */
public final class WatchdogMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final Gauge releases = Gauge.builder().name("watchdog_releases")
            .help("Open releases by state").labelNames("state").register(registry);
    private final Counter releasesEnded = Counter.builder().name("watchdog_releases_ended_total")
            .help("Releases that left the watch, by final state").labelNames("state").register(registry);
    private final Gauge ruleValue = Gauge.builder().name("watchdog_rule_value")
            .help("Last measured value of a rule for a release (the worst series)")
            .labelNames("release", "service", "environment", "rule").register(registry);
    private final Gauge ruleBaseline = Gauge.builder().name("watchdog_rule_baseline")
            .help("The baseline the last value was compared with (rules with a baseline)")
            .labelNames("release", "service", "environment", "rule").register(registry);
    private final Gauge ruleOutcome = Gauge.builder().name("watchdog_rule_outcome")
            .help("1 for the current outcome of a rule for a release, 0 for the others")
            .labelNames("release", "service", "environment", "rule", "outcome").register(registry);
    private final Counter evaluations = Counter.builder().name("watchdog_evaluations_total")
            .help("Evaluation ticks completed").register(registry);
    private final Histogram evaluationDuration = Histogram.builder().name("watchdog_evaluation_duration_seconds")
            .help("Time to evaluate every open release in one tick").classicOnly().register(registry);
    private final Gauge lastSuccess = Gauge.builder().name("watchdog_last_successful_evaluation_timestamp_seconds")
            .help("When a tick last completed with every query answered (for a dead man's switch)").register(registry);
    private final Counter queries = Counter.builder().name("watchdog_prometheus_queries_total")
            .help("Queries sent to Prometheus by outcome").labelNames("outcome").register(registry);
    private final Histogram queryDuration = Histogram.builder().name("watchdog_prometheus_query_duration_seconds")
            .help("Prometheus query latency").classicOnly().register(registry);
    private final Counter rollbacks = Counter.builder().name("watchdog_rollbacks_total")
            .help("Rollbacks by outcome (requested, succeeded, failed)").labelNames("outcome").register(registry);
    private final Counter webhookAttempts = Counter.builder().name("watchdog_webhook_attempts_total")
            .help("Outbound webhook attempts by kind and outcome").labelNames("kind", "outcome").register(registry);

    private final Gauge escalationLevel = Gauge.builder().name("watchdog_escalation_level")
            .help("Escalation level of each open incident (0 before level 1 is notified)")
            .labelNames("release", "incident", "severity", "status").register(registry);
    private final Counter notifications = Counter.builder().name("watchdog_notifications_total")
            .help("Notifications by receiver and outcome (sent, failed, dropped)").labelNames("receiver", "outcome")
            .register(registry);
    private final Gauge receiverFailing = Gauge.builder().name("watchdog_receiver_failing")
            .help("1 while a receiver's last delivery failed").labelNames("receiver").register(registry);

    public WatchdogMetrics() {
        JvmMetrics.builder().register(registry);
        for (Release.State state : Release.State.values()) {
            if (state.open()) {
                releases.labelValues(state.label()).set(0);
            }
        }
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
    }

    /** Sets the open-release gauge from the releases now open. */
    public void openReleases(Collection<Release> open) {
        for (Release.State state : Release.State.values()) {
            if (state.open()) {
                releases.labelValues(state.label()).set(open.stream().filter(r -> r.state() == state).count());
            }
        }
    }

    public void ended(Release release) {
        releasesEnded.labelValues(release.state().label()).inc();
        ruleValue.removeIf(labels -> labels.get(0).equals(release.id()));
        ruleBaseline.removeIf(labels -> labels.get(0).equals(release.id()));
        ruleOutcome.removeIf(labels -> labels.get(0).equals(release.id()));
    }

    public void rule(Release release, RuleState state) {
        String[] labels = {release.id(), release.service(), release.environment(), state.rule()};
        if (state.value() == null) {
            ruleValue.remove(labels);
        } else {
            ruleValue.labelValues(labels).set(state.value());
        }
        if (state.baseline() == null) {
            ruleBaseline.remove(labels);
        } else {
            ruleBaseline.labelValues(labels).set(state.baseline());
        }
        for (Outcome outcome : Outcome.values()) {
            ruleOutcome.labelValues(release.id(), release.service(), release.environment(), state.rule(), outcome.label())
                    .set(outcome == state.outcome() ? 1 : 0);
        }
    }

    /** Sets the escalation level gauge from the incidents of open releases. */
    public void incidents(Collection<dev.watchdog.incident.Incident> all) {
        escalationLevel.clear();
        for (dev.watchdog.incident.Incident i : all) {
            if (i.open()) {
                escalationLevel.labelValues(i.releaseId(), i.id(), i.severity().name(), i.status().label())
                        .set(i.level());
            }
        }
    }

    public void notification(String receiver, String outcome) {
        notifications.labelValues(receiver, outcome).inc();
        if (!outcome.equals("dropped")) {
            receiverFailing.labelValues(receiver).set(outcome.equals("sent") ? 0 : 1);
        }
    }

    public void evaluated(double seconds, boolean allAnswered, Instant at) {
        evaluations.inc();
        evaluationDuration.observe(seconds);
        if (allAnswered) {
            lastSuccess.set(at.toEpochMilli() / 1000.0);
        }
    }

    public void query(String outcome, double seconds) {
        queries.labelValues(outcome).inc();
        queryDuration.observe(seconds);
    }

    public void rollback(String outcome) {
        rollbacks.labelValues(outcome).inc();
    }

    public void webhookAttempt(String kind, String outcome) {
        webhookAttempts.labelValues(kind, outcome).inc();
    }

    /** The exposition text, as {@code /metrics} serves it. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
