package dev.watchdog.machine;

import dev.watchdog.core.Durations;
import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.judge.RuleState;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The release's lifecycle messages: watching, the checkpoint summaries, all clear at the bake and
 * at the window's end, and a watch gone blind. Pure. What was announced is kept on the watch, so
 * that each goes once, across restarts.
 */
final class Announcements {

    private Announcements() {}

    /** What has now been announced, and the notices to send. */
    record Due(List<String> announced, List<Notice> notices) {}

    /**
     * {@code verdict} and {@code passed}: whether this step gave the verdict, or ended the window.
     * A healthy verdict is an all clear; a release nobody could judge is told as such, never as clear.
     */
    static Due due(Watch w, boolean verdict, boolean passed, Policy policy, Duration blindAfter, Instant now) {
        Release r = w.release();
        List<String> announced = new ArrayList<>(w.announced());
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
        // A verdict given as the window ends (no tick between them) is said once, by the window's all clear.
        boolean unjudged = r.verdict() == Release.Verdict.UNJUDGED;
        if (verdict && !passed && unjudged) {
            add(notices, r, "unjudged:bake", Kind.UNJUDGED, to, "at T+" + Durations.format(r.bake())
                    + ": no rule had anything to judge");
        } else if (verdict && !passed) {
            add(notices, r, "all-clear:bake", Kind.ALL_CLEAR, to, "at T+" + Durations.format(r.bake()) + ": healthy");
        }
        if (passed && unjudged) {
            add(notices, r, "unjudged:window", Kind.UNJUDGED, to, "the " + Durations.format(r.window())
                    + " window ended and no rule had anything to judge");
        } else if (passed) {
            add(notices, r, "all-clear:window", Kind.ALL_CLEAR, to, "the " + Durations.format(r.window())
                    + " window ended with nothing open");
        }
        if (r.supersededBy() != null && !announced.contains("superseded")) {
            announced.add("superseded");
            add(notices, r, "superseded", Kind.SUPERSEDED, to, r.supersededBy());
        }
        blindness(w, announced, notices, policy, blindAfter, now);
        return new Due(announced, notices);
    }

    /** Level 1 hears when every query of a rule has failed for blindAfter, and when they answer again. */
    private static void blindness(Watch w, List<String> announced, List<Notice> notices, Policy policy,
                                  Duration blindAfter, Instant now) {
        List<String> levelOne = policy.levels().isEmpty() ? List.of() : policy.levels().get(0).receivers();
        // A loop: every step of every release of a fleet asks.
        boolean blind = false;
        boolean seeing = true;
        for (RuleState s : w.rules().values()) {
            if (s.outcome() == Outcome.ERROR) {
                seeing = false;
                blind |= !s.since().plus(blindAfter).isAfter(now);
            }
        }
        if (blind && !announced.contains("blind")) {
            announced.add("blind");
            add(notices, w.release(), "blind:" + now.getEpochSecond(), Kind.BLIND, levelOne, null);
        } else if (seeing && announced.remove("blind")) {
            add(notices, w.release(), "seeing:" + now.getEpochSecond(), Kind.SEEING, levelOne, null);
        }
    }

    private static void add(List<Notice> notices, Release r, String key, Kind kind, List<String> to,
                            @Nullable String detail) {
        if (!to.isEmpty()) {
            notices.add(new Notice(r.id() + ":" + key, kind, to, 0, null, detail));
        }
    }
}
