package dev.watchdog.machine;

import static dev.watchdog.machine.MachineTest.in;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.machine.MachineTest.Life;
import dev.watchdog.release.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What became of an effect that moves nothing: settled on its outbox entry, and said on the timeline. */
class AnswersTest {

    static final Answer SENT = new Answer(OutboxEntry.Status.SENT, 1, 200, null);
    static final Answer FAILED = new Answer(OutboxEntry.Status.FAILED, 3, 500, "HTTP 500");
    static final Answer DROPPED = new Answer(OutboxEntry.Status.DROPPED, 0, 0, null);

    static Life notified(Answer answer) {
        Life life = in("watching");
        return life.apply(new Input.NotificationAnswered(MachineTest.notification(life), answer));
    }

    @Test
    @DisplayName("a notification delivered: settled, and on the timeline as sent to whom, after how many attempts")
    void sent() {
        Life life = notified(SENT);
        String key = life.watch.id() + ":watching@rm";
        assertEquals(List.of("notification_sent: watching to rm: sent"), life.timeline());
        assertEquals(Map.of("receiver", "rm", "kind", "watching", "key", key, "attempts", 1),
                life.data(Event.Type.NOTIFICATION_SENT));
        assertEquals(List.of(new Step.Settled(key, SENT)), life.last().settled());
        assertEquals("watching", life.watch.release().state().label());
    }

    @Test
    @DisplayName("a notification given up says why; one no longer wanted is dropped")
    void failedAndDropped() {
        Life failed = notified(FAILED);
        assertEquals(List.of("notification_failed: watching to rm: failed"), failed.timeline());
        assertEquals("HTTP 500", failed.data(Event.Type.NOTIFICATION_FAILED).get("error"));
        assertEquals(List.of(new Step.Settled(failed.watch.id() + ":watching@rm", FAILED)), failed.last().settled());
        assertEquals(List.of("notification_dropped: watching to rm: dropped"), notified(DROPPED).timeline());
    }

    @Test
    @DisplayName("the deploy's silence made or expired early, or why it could not be")
    void silences() {
        Life life = in("watching");
        String silence = life.watch.id() + ":silence";
        String unsilence = life.watch.id() + ":unsilence";
        assertEquals(List.of("silence: deploy noise silenced until the bake ends"),
                life.apply(new Input.SilenceAnswered(silence, SENT)).timeline());
        assertEquals(Map.of("effect", silence, "status", "sent"), life.data(Event.Type.SILENCE));
        assertEquals(List.of(new Step.Settled(silence, SENT)), life.last().settled());
        assertEquals(List.of("silence: deploy noise could not be silenced: HTTP 500"),
                life.apply(new Input.SilenceAnswered(silence, FAILED)).timeline());
        assertEquals(Map.of("effect", silence, "status", "failed"), life.data(Event.Type.SILENCE));
        assertEquals(List.of("silence: deploy noise silence expired early"),
                life.apply(new Input.SilenceAnswered(unsilence, SENT)).timeline());
        assertEquals(List.of("silence: deploy noise silence could not be expired: HTTP 500"),
                life.apply(new Input.SilenceAnswered(unsilence, FAILED)).timeline());
    }
}
