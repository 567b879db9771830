package dev.watchdog.machine;

import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Policy;
import dev.watchdog.rules.RuleSet;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

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

    /** Whether a receiver's alerts resolve by themselves unless posted again (an Alertmanager's). */
    boolean keptFiring(String receiver) {
        Receiver r = config.receivers().get(receiver);
        return r != null && r.channel().resend() != null;
    }

    /** Whether a receiver takes a notice ({@code incident}: the release's, as the notice leaves it): as its kind says. */
    boolean takes(String receiver, Notice.Kind kind, @Nullable Incident incident) {
        Receiver r = config.receivers().get(receiver);
        return r != null && r.channel().takes(kind, incident == null ? null : incident.cause());
    }
}
