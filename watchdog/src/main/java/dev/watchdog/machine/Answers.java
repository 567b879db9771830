package dev.watchdog.machine;

import dev.watchdog.release.Event;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What became of an effect that moves nothing: a notification sent, failed or dropped, a silence made
 * or expired. Each settles its outbox entry and goes on the timeline. (A rollback's answer moves the
 * release: {@link Machine}.)
 */
final class Answers {

    private Answers() {}

    static Step notification(Draft d, Input.NotificationAnswered n) {
        d.settle(n.notification().key(), n.answer());
        String outcome = n.answer().status().label();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("receiver", n.notification().receiver());
        data.put("kind", n.notification().kind().label());
        data.put("key", n.notification().key());
        data.put("attempts", n.answer().attempts());
        if (n.answer().error() != null) {
            data.put("error", n.answer().error());
        }
        Event.Type type = switch (n.answer().status()) {
            case SENT -> Event.Type.NOTIFICATION_SENT;
            case DROPPED -> Event.Type.NOTIFICATION_DROPPED;
            default -> Event.Type.NOTIFICATION_FAILED;
        };
        d.event(type, n.notification().kind().label() + " to " + n.notification().receiver() + ": " + outcome, data);
        return d.moved();
    }

    static Step silence(Draft d, Input.SilenceAnswered a) {
        d.settle(a.effect(), a.answer());
        boolean made = a.effect().endsWith(":silence");
        String what = a.answer().delivered() ? (made ? "deploy noise silenced until the bake ends"
                : "deploy noise silence expired early") : (made ? "deploy noise could not be silenced: "
                : "deploy noise silence could not be expired: ") + a.answer().error();
        d.event(Event.Type.SILENCE, what, Map.of("effect", a.effect(), "status", a.answer().status().label()));
        return d.moved();
    }
}
