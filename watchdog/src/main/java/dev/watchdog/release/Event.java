package dev.watchdog.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.watchdog.incident.Notice;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One entry of a release's timeline. {@code seq} is given by the store and orders the timeline. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Event(long seq, String releaseId, Instant at, String type, String message, Map<String, Object> data) {

    public Event {
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    public static Event of(Release release, Instant at, String type, String message, Map<String, Object> data) {
        return new Event(0, release.id(), at, type, message, data);
    }

    public static Event of(Release release, Instant at, String type, String message) {
        return of(release, at, type, message, Map.of());
    }

    /** The timeline entry of a notice: what was said, about what, to whom. */
    public static Event notice(Release release, Notice n, Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", n.kind().label());
        data.put("receivers", n.receivers());
        data.put("key", n.key());
        if (n.incidentId() != null) {
            data.put("incident", n.incidentId());
            data.put("level", n.level());
        }
        String what = n.incidentId() == null ? n.kind().label() + (n.detail() == null ? "" : " " + n.detail())
                : "incident " + n.incidentId() + " " + n.kind().label() + (n.level() > 0 ? " (level " + n.level() + ")" : "");
        return of(release, now, n.incidentId() == null ? "announcement" : "incident",
                what + " -> " + String.join(", ", n.receivers()), data);
    }

    public Event withSeq(long newSeq) {
        return new Event(newSeq, releaseId, at, type, message, data);
    }
}
