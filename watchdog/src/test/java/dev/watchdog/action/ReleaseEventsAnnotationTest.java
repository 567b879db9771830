package dev.watchdog.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.receiver.Grafana;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Releases dashboard's "Release events" annotation query against what a grafana receiver really
 * posts ({@link Grafana#annotation}): Grafana shows an annotation when it carries every tag the
 * query filters on, so those tags must be among the ones posted, for every service and kind.
 */
class ReleaseEventsAnnotationTest {

    static final Path RELEASES = Path.of("..", "grafana", "dashboards", "releases.json");

    @Test
    @DisplayName("every annotation the grafana receiver posts, of any service and kind, carries each tag the Releases dashboard asks for")
    void dashboardTagsArePosted() throws IOException {
        JsonObject target = releaseEvents().getJsonObject("target");
        List<String> asked = target.getJsonArray("tags").stream().map(String.class::cast).toList();
        assertFalse(asked.isEmpty(), "a tag query without tags shows nothing");
        for (String service : List.of("api", "payments")) {
            for (Notice.Kind kind : Notice.Kind.values()) {
                List<String> posted = Grafana.annotation(notification(service, kind)).getJsonArray("tags").stream()
                        .map(String.class::cast).toList();
                assertTrue(posted.containsAll(asked), service + " " + kind.label() + ": posted " + posted
                        + ", the dashboard asks for " + asked);
            }
        }
    }

    @Test
    @DisplayName("the release events query is on by default and reads Grafana's own annotations by tag")
    void queryShape() throws IOException {
        JsonObject annotation = releaseEvents();
        assertTrue(annotation.getBoolean("enable"));
        assertEquals("grafana", annotation.getJsonObject("datasource").getString("type"));
        assertEquals("tags", annotation.getJsonObject("target").getString("type"));
    }

    private static JsonObject releaseEvents() throws IOException {
        JsonObject dashboard = new JsonObject(Files.readString(RELEASES));
        List<JsonObject> byTags = dashboard.getJsonObject("annotations").getJsonArray("list").stream()
                .map(JsonObject.class::cast)
                .filter(a -> "tags".equals(a.getJsonObject("target", new JsonObject()).getString("type"))).toList();
        assertEquals(1, byTags.size(), "one annotation query by tags: " + byTags);
        return byTags.get(0);
    }

    private static Notification notification(String service, Notice.Kind kind) {
        Message m = new Message("[P1] Breach in " + service + " 1.4.0 (production): error-rate 2.3 %",
                List.of("- error-rate: 2.3 % (P1 > 1 %)"), "P1", service, "1.4.0", "production", "rel_01M7",
                List.of("error-rate"), null, true);
        return new Notification("rel_01M7:1@dashboards", "rel_01M7", "rel_01M7.1", "dashboards", kind, m,
                Instant.parse("2026-11-21T10:00:00Z"));
    }
}
