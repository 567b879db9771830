package dev.watchdog.evaluation;

import dev.watchdog.core.Release;
import dev.watchdog.judge.Observation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A release being observed this tick: its template values, rendered once and only if a rule needs
 * them, and its observations gathering until all its due rules are seen or they are late.
 */
final class Target {
    final Release release;
    private @Nullable Map<String, String> values;
    private int due;
    private @Nullable Map<String, Observation> in;
    private boolean sent;

    Target(Release release) {
        this.release = release;
    }

    Map<String, String> values() {
        if (values == null) {
            values = release.templateValues();
        }
        return values;
    }

    /** One more due rule to wait for; true if it is the first. */
    boolean expect() {
        return due++ == 0;
    }

    /** One rule seen: gathered, sent with the others when it is the last, or on its own once late. */
    void seen(String rule, Observation seen, Evaluator.Sink sink) {
        if (sent) {
            sink.seen(release.id(), Map.of(rule, seen));
            return;
        }
        if (in == null) {
            in = new LinkedHashMap<>();
        }
        in.put(rule, seen);
        if (in.size() == due) {
            send(sink);
        }
    }

    /** Late: what is in goes now (perhaps nothing), if it has not gone yet. */
    void late(Evaluator.Sink sink) {
        if (!sent) {
            send(sink);
        }
    }

    private void send(Evaluator.Sink sink) {
        sent = true;
        sink.seen(release.id(), in == null ? Map.of() : in);
    }
}
