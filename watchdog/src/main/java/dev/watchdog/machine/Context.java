package dev.watchdog.machine;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.config.WatchdogConfig.Policy;
import dev.watchdog.config.WatchdogConfig.Receiver;
import dev.watchdog.incident.Notice;
import dev.watchdog.rules.RuleSet;
import java.time.Duration;

/** What the state machine decides by, besides the release and the input: the config and the rules in force. */
public record Context(WatchdogConfig config, RuleSet rules) {

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

    /** Alertmanager takes alerts, not chatter: lifecycle messages other than a blind watch skip it. */
    boolean takes(String receiver, Notice.Kind kind) {
        Receiver r = config.receivers().get(receiver);
        return r != null && (r.alertmanager() == null || kind.aboutIncident()
                || kind == Notice.Kind.BLIND || kind == Notice.Kind.SEEING);
    }
}
