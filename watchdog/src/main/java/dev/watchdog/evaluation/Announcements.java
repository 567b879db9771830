package dev.watchdog.evaluation;

import dev.watchdog.config.Durations;
import dev.watchdog.config.WatchdogConfig.Policy;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.release.Event;
import dev.watchdog.release.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The release's lifecycle messages (seeds 002 and 003): watching, the checkpoint summaries, all
 * clear at the bake and at the window's end, and a watch gone blind. Pure. What was announced is
 * kept on the release, so that each goes once, across restarts.
 */
public final class Announcements {

    private Announcements() {}

    /** The release with what it has now announced, and the notices to send. */
    public record Due(Release release, List<Notice> notices) {}

    public static Due due(Release r, List<Event> transition, Map<String, RuleState> states, Policy policy,
                          Duration blindAfter, Instant now) {
        List<String> announced = new ArrayList<>(r.announced());
        List<Notice> notices = new ArrayList<>();
        List<String> to = policy.announce();
        if (!announced.contains("watching")) {
            announced.add("watching");
            add(notices, r, "watching", Kind.WATCHING, to, null);
        }
        String latest = null;
        for (Duration checkpoint : policy.checkpoints()) {
            String key = "checkpoint:" + Durations.format(checkpoint);
            if (checkpoint.compareTo(r.window()) <= 0 && !now.isBefore(r.startedAt().plus(checkpoint))
                    && !announced.contains(key)) {
                announced.add(key);
                latest = Durations.format(checkpoint);
            }
        }
        if (latest != null) {
            add(notices, r, "checkpoint:" + latest, Kind.CHECKPOINT, to, latest);
        }
        if (transition.stream().anyMatch(e -> e.type().equals("verdict"))) {
            add(notices, r, "all-clear:bake", Kind.ALL_CLEAR, to, "at T+" + Durations.format(r.bake()) + ": healthy");
        }
        if (transition.stream().anyMatch(e -> e.type().equals("passed"))) {
            add(notices, r, "all-clear:window", Kind.ALL_CLEAR, to, "the " + Durations.format(r.window())
                    + " window ended with nothing open");
        }
        List<String> levelOne = policy.levels().isEmpty() ? List.of() : policy.levels().get(0).receivers();
        boolean blind = states.values().stream().anyMatch(s -> s.outcome() == Outcome.ERROR
                && !s.since().plus(blindAfter).isAfter(now));
        boolean seeing = states.values().stream().noneMatch(s -> s.outcome() == Outcome.ERROR);
        if (blind && !announced.contains("blind")) {
            announced.add("blind");
            add(notices, r, "blind:" + now.getEpochSecond(), Kind.BLIND, levelOne, null);
        } else if (seeing && announced.remove("blind")) {
            add(notices, r, "seeing:" + now.getEpochSecond(), Kind.SEEING, levelOne, null);
        }
        return new Due(r.withAnnounced(announced), notices);
    }

    private static void add(List<Notice> notices, Release r, String key, Kind kind, List<String> to, String detail) {
        if (!to.isEmpty()) {
            notices.add(new Notice(r.id() + ":" + key, kind, to, 0, null, detail));
        }
    }
}
