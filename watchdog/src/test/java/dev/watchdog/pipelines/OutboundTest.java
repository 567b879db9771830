package dev.watchdog.pipelines;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** PagerDuty, GitHub deployment statuses and CDEvents, each checked field by field against its documented contract. */
class OutboundTest extends PipelineRig {

    static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    /** A P0 on 1.4.0: rolled back by the watchdog, its pages settled. */
    String rolledBack() {
        String id = daemon.register(registration("1.4.0")).getString("id");
        daemon.tick();
        prometheus.answer("error_ratio", value("0.2"));
        tick(Duration.ofSeconds(15), 5);
        Poll.until(Duration.ofSeconds(10), "the rollback", () -> "rolled_back".equals(daemon.release(id).getString("state")));
        daemon.settled(id);
        return id;
    }

    @Nested
    @DisplayName("PagerDuty")
    class PagerDuty {
        @Test
        @DisplayName("Events API v2: a change event at registration, a trigger per incident with its dedup_key,"
                + " severity, links and details")
        void events() {
            String id = p1();
            JsonObject change = bodies("/pd/v2/change/enqueue").get(0);
            assertEquals("pd-routing-key-1", change.getString("routing_key"));
            assertEquals("Deployed api 1.4.0 to production", change.getJsonObject("payload").getString("summary"));
            assertNotNull(change.getJsonObject("payload").getString("timestamp"));
            assertEquals(id, change.getJsonObject("payload").getJsonObject("custom_details").getString("release"));
            JsonObject trigger = bodies("/pd/v2/enqueue").get(0);
            assertEquals("trigger", trigger.getString("event_action"));
            assertEquals(id + ".1", trigger.getString("dedup_key"));
            JsonObject payload = trigger.getJsonObject("payload");
            assertEquals("[P1] Breach in api 1.4.0 (production): error-rate 2.3 % [" + id + ".1]", payload.getString("summary"));
            assertEquals("error", payload.getString("severity"));
            assertEquals("api in production", payload.getString("source"));
            assertEquals("api", payload.getString("component"));
            assertEquals("production", payload.getString("group"));
            assertEquals("error-rate", payload.getString("class"));
            assertEquals(id + ".1", payload.getJsonObject("custom_details").getString("incident"));
            assertTrue(trigger.getJsonArray("links").getJsonObject(0).getString("href").endsWith("/#" + id));
            assertTrue(Set.of("critical", "error", "warning", "info").contains(payload.getString("severity")));
        }

        @Test
        @DisplayName("a v3 webhook incident.acknowledged, signed (among several signatures), stops the ladder in the"
                + " PagerDuty user's name; a wrong signature or the same event again is refused")
        void acknowledgedThere() throws Exception {
            String id = p1();
            String summary = bodies("/pd/v2/enqueue").get(0).getJsonObject("payload").getString("summary");
            String body = new JsonObject().put("event", new JsonObject().put("id", "01DEF").put("event_type",
                            "incident.acknowledged").put("resource_type", "incident")
                    .put("occurred_at", clock.instant().toString())
                    .put("agent", new JsonObject().put("id", "PJANE99").put("summary", "Jane Doe").put("type", "user_reference"))
                    .put("client", new JsonObject().put("name", "PagerDuty"))
                    .put("data", new JsonObject().put("id", "Q1ABC").put("type", "incident").put("number", 7)
                            .put("status", "acknowledged").put("title", summary))).encode();
            MultiMap wrong = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")
                    .add("X-PagerDuty-Signature", "v1=" + hmac("another-secret", body));
            assertEquals(401, post("/hooks/pagerduty", wrong, body).statusCode());
            MultiMap signed = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")
                    .add("X-PagerDuty-Signature", "v1=" + hmac("rotated-out", body) + ",v1=" + hmac(PAGERDUTY_SECRET, body));
            assertEquals(200, post("/hooks/pagerduty", signed, body).statusCode());
            JsonObject inc = daemon.release(id).getJsonObject("incident");
            assertEquals("acknowledged", inc.getString("status"));
            assertEquals("Jane Doe (PagerDuty)", inc.getJsonObject("acknowledged").getString("who"));
            assertEquals(401, post("/hooks/pagerduty", signed, body).statusCode(), "a replay");
            daemon.settled(id);
            assertTrue(bodies("/pd/v2/enqueue").stream().anyMatch(b -> "acknowledge".equals(b.getString("event_action"))
                    && (id + ".1").equals(b.getString("dedup_key"))));
        }

        @Test
        @DisplayName("a rollback: P0 critical, then resolved, and a change event beside it")
        void rollback() {
            String id = rolledBack();
            List<JsonObject> alerts = bodies("/pd/v2/enqueue");
            assertTrue(alerts.stream().anyMatch(b -> "trigger".equals(b.getString("event_action"))
                    && "critical".equals(b.getJsonObject("payload").getString("severity"))));
            assertTrue(alerts.stream().anyMatch(b -> "resolve".equals(b.getString("event_action"))
                    && (id + ".1").equals(b.getString("dedup_key"))));
            assertTrue(bodies("/pd/v2/change/enqueue").stream().anyMatch(b -> b.getJsonObject("payload").getString("summary")
                    .equals("Rolled back api 1.4.0 in production")));
        }
    }

    @Nested
    @DisplayName("GitHub deployments")
    class GitHub {
        static final String STATUSES = "/gh/repos/acme/api/deployments/42/statuses";

        @Test
        @DisplayName("in_progress while watched, success at the all clear, inactive when superseded; log_url the page,"
                + " a description under 140 characters")
        void statuses() {
            String id = daemon.register(registration("1.4.0")).getString("id");
            tick(Duration.ofMinutes(1), 31);
            daemon.settled(id);
            daemon.register(registration("1.4.1").put("labels", new JsonObject()));
            daemon.settled(id);
            List<JsonObject> statuses = bodies(STATUSES);
            assertEquals(List.of("in_progress", "success", "inactive"), statuses.stream().map(s -> s.getString("state")).toList());
            WebhookRecorder.Call first = fakes.calls(STATUSES).get(0);
            assertEquals("Bearer gh-token-1", first.header("Authorization"));
            assertEquals("application/vnd.github+json", first.header("Accept"));
            for (JsonObject s : statuses) {
                assertTrue(s.getString("log_url").endsWith("/#" + id), s.encode());
                assertTrue(s.getString("description").length() <= 140, s.encode());
                assertEquals("production", s.getString("environment"));
            }
        }

        @Test
        @DisplayName("failure when rolled back")
        void failure() {
            rolledBack();
            assertEquals(List.of("in_progress", "failure"), bodies(STATUSES).stream().map(s -> s.getString("state")).toList());
        }
    }

    @Nested
    @DisplayName("CDEvents")
    class Events {
        void context(WebhookRecorder.Call call, String type) {
            JsonObject context = new JsonObject(call.body()).getJsonObject("context");
            assertEquals(Set.of("specversion", "id", "source", "type", "timestamp"), context.fieldNames());
            assertEquals("0.5.0", context.getString("specversion"));
            assertEquals(type, context.getString("type"));
            assertTrue(context.getString("id").matches(UUID));
            assertTrue(context.getString("source").startsWith("http://"), context.getString("source"));
            assertEquals("1.0", call.header("ce-specversion"));
            assertEquals(type, call.header("ce-type"));
            assertEquals(context.getString("id"), call.header("ce-id"));
            assertEquals(context.getString("source"), call.header("ce-source"));
            assertEquals(context.getString("timestamp"), call.header("ce-time"));
            assertTrue(call.header("Content-Type").startsWith("application/json"));
        }

        WebhookRecorder.Call of(String type) {
            return fakes.calls("/cde/events").stream().filter(c -> type.equals(c.header("ce-type"))).findFirst().orElseThrow();
        }

        @Test
        @DisplayName("service.upgraded at registration, incident.detected, service.rolledback and incident.resolved,"
                + " each with every field v0.5 requires")
        void rollback() {
            String id = rolledBack();
            WebhookRecorder.Call upgraded = of("dev.cdevents.service.upgraded.0.3.0");
            context(upgraded, "dev.cdevents.service.upgraded.0.3.0");
            JsonObject subject = new JsonObject(upgraded.body()).getJsonObject("subject");
            assertEquals(Set.of("id", "type", "content"), subject.fieldNames());
            assertEquals("api", subject.getString("id"));
            assertEquals("service", subject.getString("type"));
            assertEquals(new JsonObject().put("environment", new JsonObject().put("id", "production"))
                    .put("artifactId", "pkg:generic/api@1.4.0"), subject.getJsonObject("content"));

            for (String type : List.of("dev.cdevents.incident.detected.0.3.0", "dev.cdevents.incident.resolved.0.3.0")) {
                WebhookRecorder.Call call = of(type);
                context(call, type);
                JsonObject inc = new JsonObject(call.body()).getJsonObject("subject");
                assertEquals(id + ".1", inc.getString("id"));
                assertEquals("incident", inc.getString("type"));
                JsonObject content = inc.getJsonObject("content");
                assertEquals(Set.of("description", "environment", "service", "artifactId"), content.fieldNames());
                assertEquals("production", content.getJsonObject("environment").getString("id"));
                assertEquals("api", content.getJsonObject("service").getString("id"));
            }
            WebhookRecorder.Call rolled = of("dev.cdevents.service.rolledback.0.3.0");
            context(rolled, "dev.cdevents.service.rolledback.0.3.0");
            assertEquals("pkg:generic/api@1.3.2", new JsonObject(rolled.body()).getJsonObject("subject")
                    .getJsonObject("content").getString("artifactId"));
        }

        @Test
        @DisplayName("service.deployed for a release that names no version before it")
        void deployed() {
            String id = daemon.register(registration("1.4.0").putNull("previousVersion")).getString("id");
            daemon.settled(id);
            List<WebhookRecorder.Call> calls = fakes.calls("/cde/events");
            assertEquals(1, calls.size());
            context(calls.get(0), "dev.cdevents.service.deployed.0.3.0");
        }
    }
}
