package dev.watchdog.action;

import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.incident.Notification;
import dev.watchdog.machine.Context;
import dev.watchdog.machine.Firing;
import dev.watchdog.machine.Watch;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps Alertmanager's alerts firing while their incidents are open: what fires is derived from the
 * releases as stored, and each alert is posted again every {@code resend}, below Alertmanager's
 * resolve_timeout. After a restart every firing alert is posted at once.
 */
public final class Alerts {

    private final Notifier notifier;
    private final Supplier<Context> context;
    private final Clock clock;
    private final Map<String, Instant> lastSent = new HashMap<>();

    public Alerts(Notifier notifier, Supplier<Context> context, Clock clock) {
        this.notifier = notifier;
        this.context = context;
        this.clock = clock;
    }

    /**
     * Posts again every firing alert of these releases whose resend interval has passed; completes
     * when each has been tried. Not an outbox effect: what fires is derived from the stored state on
     * every tick, and posting it again changes nothing, so there is nothing to store or to resume.
     */
    public Future<Void> resend(List<Watch> held) {
        Context ctx = context.get();
        Instant now = clock.instant();
        Set<String> firing = new HashSet<>();
        List<Future<Void>> sent = new ArrayList<>();
        for (Watch w : held) {
            for (Notification n : Firing.of(w, ctx, now)) {
                String key = n.receiver() + "|" + n.key();
                firing.add(key);
                Instant last = lastSent.get(key);
                if (last == null || !last.plus(resend(ctx.config(), n.receiver())).isAfter(now)) {
                    lastSent.put(key, now);
                    sent.add(notifier.resend(n));
                }
            }
        }
        lastSent.keySet().retainAll(firing);
        return Future.join(sent).mapEmpty();
    }

    private static Duration resend(WatchdogConfig config, String receiver) {
        Receiver r = config.receivers().get(receiver);
        Duration resend = r == null ? null : r.channel().resend();
        return resend == null ? Duration.ofMinutes(1) : resend;
    }
}
