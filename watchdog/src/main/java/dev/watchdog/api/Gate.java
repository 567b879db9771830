package dev.watchdog.api;

import dev.watchdog.core.Release;
import dev.watchdog.core.Release.State;
import dev.watchdog.core.Severity;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Watch;
import org.jspecify.annotations.Nullable;

/**
 * What a release means to a delivery tool's gate, pure: {@code failure} once the watchdog rolls it
 * back (a P0, a decision, an unacknowledged P1) or its rollback failed; {@code success} when it is
 * healthy with nothing open; {@code pending} for everything a person or more time must settle (a P1
 * awaiting a decision, unjudged, no verdict yet, no such release).
 */
record Gate(String status, @Nullable String release, String reason) {

    static final String SUCCESS = "success";
    static final String FAILURE = "failure";
    static final String PENDING = "pending";

    static Gate of(@Nullable Watch w, String what) {
        if (w == null) {
            return new Gate(PENDING, null, "no release of " + what + " is registered yet");
        }
        Release r = w.release();
        Incident open = open(w);
        if (rollingBack(w)) {
            return new Gate(FAILURE, r.id(), failureReason(w));
        }
        if (open != null) {
            return new Gate(PENDING, r.id(), "a " + open.severity() + " incident is " + open.status().label()
                    + ": a person decides (roll back, or keep the release)");
        }
        if (r.verdict() == Release.Verdict.HEALTHY && (r.state() == State.WATCHING || r.state() == State.PASSED)) {
            return new Gate(SUCCESS, r.id(), "healthy: the bake passed with nothing open");
        }
        if (r.verdict() == Release.Verdict.UNJUDGED) {
            return new Gate(PENDING, r.id(), "unjudged: no rule had anything to judge, so nobody could judge it");
        }
        return new Gate(PENDING, r.id(), r.state() == State.CANCELLED ? "the watch was cancelled"
                : "no verdict yet: healthy at " + r.bakeUntil() + " if nothing opens");
    }

    /**
     * Whether the tool should roll back: from the moment the watchdog decides to (rolling back), after
     * it did, after its rollback failed, or while a P0 is open.
     */
    static boolean rollingBack(Watch w) {
        State s = w.release().state();
        Incident open = open(w);
        return s == State.ROLLING_BACK || s == State.ROLLED_BACK || s == State.ROLLBACK_FAILED
                || (open != null && open.severity() == Severity.P0);
    }

    /** Whether the tool may promote: healthy with nothing open, or kept by a person (an accepted incident). */
    static boolean promotable(Watch w) {
        Incident inc = w.incident();
        boolean kept = inc != null && inc.status() == Incident.Status.ACCEPTED && w.release().state() == State.WATCHING;
        return !rollingBack(w) && open(w) == null && (kept || SUCCESS.equals(of(w, "").status()));
    }

    private static String failureReason(Watch w) {
        State s = w.release().state();
        return s == State.ROLLBACK_FAILED ? "the rollback failed: " + w.release().version() + " is still deployed"
                : s == State.ROLLED_BACK ? "rolled back" : s == State.ROLLING_BACK ? "rolling back"
                : "a P0 incident is open";
    }

    private static @Nullable Incident open(Watch w) {
        Incident inc = w.incident();
        return inc != null && inc.open() ? inc : null;
    }
}
