package dev.watchdog.machine;

import dev.watchdog.incident.Escalator;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.incident.Policy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The alerts that must keep firing at Alertmanager, derived from a release's stored state so that
 * a restart, or another replica taking over, keeps them firing: an open incident's, at the
 * Alertmanager receivers paged so far; a blind watch's, at level 1's.
 */
public final class Firing {

    private Firing() {}

    /** One notification per Alertmanager receiver that must hear the alert again. */
    public static List<Notification> of(Watch w, Context ctx, Instant now) {
        List<Notification> out = new ArrayList<>();
        Incident inc = w.incident();
        if (inc != null && inc.open()) {
            Notice.Kind kind = inc.cause() == null ? Notice.Kind.OPENED
                    : inc.cause() == Incident.Cause.ROLLBACK_FAILED ? Notice.Kind.ROLLBACK_FAILED : Notice.Kind.NOT_RECOVERED;
            Notice notice = new Notice(inc.id() + ":firing", kind, Escalator.paged(inc), inc.level(), inc.id(), null);
            Message m = Messages.incident(notice, inc, w.release(), ctx.rules().forRelease(w.release()), w.rules(),
                    ctx.apiBase(), now);
            add(out, w, notice, m, ctx, inc.openedAt());
        }
        if (w.announced().contains("blind")) {
            Policy policy = ctx.policy(w.release().policy());
            List<String> levelOne = policy.levels().isEmpty() ? List.of() : policy.levels().get(0).receivers();
            Notice notice = new Notice(w.id() + ":blind:firing", Notice.Kind.BLIND, levelOne, 0, null, null);
            Message m = Messages.release(notice, w.release(), w.rules(), null, ctx.rules().forRelease(w.release()),
                    policy.summary(), ctx.apiBase(), now);
            add(out, w, notice, m, ctx, w.release().startedAt());
        }
        return out;
    }

    private static void add(List<Notification> out, Watch w, Notice notice, Message m, Context ctx, Instant since) {
        notice.receivers().stream().filter(ctx::keptFiring)
                .forEach(r -> out.add(Notification.of(notice, w.id(), r, m, since)));
    }
}
