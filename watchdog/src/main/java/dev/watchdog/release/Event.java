package dev.watchdog.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
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

    public Event withSeq(long newSeq) {
        return new Event(newSeq, releaseId, at, type, message, data);
    }
}
