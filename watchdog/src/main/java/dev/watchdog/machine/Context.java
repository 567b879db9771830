package dev.watchdog.machine;

import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Policy;
import dev.watchdog.rules.RuleSet;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** What the state machine decides by, besides the release and the input: the config and the rules in force. */
public record Context(WatchdogConfig config, RuleSet rules) {

    private static final Set<Notice.Kind> ANNOTATED = EnumSet.of(Notice.Kind.WATCHING, Notice.Kind.OPENED,
            Notice.Kind.ACKNOWLEDGED, Notice.Kind.ROLLED_BACK, Notice.Kind.ROLLBACK_FAILED, Notice.Kind.ALL_CLEAR,
            Notice.Kind.UNJUDGED);

    Policy policy(String name) {
        return config.escalation().getOrDefault(name, Policy.SILENT);
    }

    /** How long a rollback's effect is verified; zero turns verification off. */
    Duration verify(String target) {
        WatchdogConfig.Rollback rollback = config.rollback().get(target);
        return rollback == null ? WatchdogConfig.Rollback.DEFAULT_VERIFY : rollback.verify();
    }

    Duration blindAfter() {
        return config.evaluation().blindAfter();
    }

    String apiBase() {
        return config.server().externalUrl();
    }

    /** Whether a receiver is an Alertmanager: alerts to it are kept firing by resending them. */
    boolean alertmanager(String receiver) {
        Receiver r = config.receivers().get(receiver);
        return r != null && r.alertmanager() != null;
    }

    /**
     * Alertmanager takes alerts, not chatter: lifecycle messages other than a blind watch skip it.
     * Grafana takes the milestones worth an annotation on a dashboard. GitHub takes the end of an
     * incident by a rollback ({@code incident}: the release's, as the notice leaves it): rolled back,
     * or a failed rollback that a person took over.
     */
    boolean takes(String receiver, Notice.Kind kind, Incident incident) {
        Receiver r = config.receivers().get(receiver);
        if (r == null) {
            return false;
        } else if (r.grafana() != null) {
            return ANNOTATED.contains(kind);
        } else if (r.github() != null) {
            return kind == Notice.Kind.ROLLED_BACK || (kind == Notice.Kind.ACCEPTED && incident != null
                    && incident.cause() == Incident.Cause.ROLLBACK_FAILED);
        }
        return r.alertmanager() == null || kind.aboutIncident() || kind == Notice.Kind.BLIND || kind == Notice.Kind.SEEING;
    }
}
