package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules for a fleet, through the whole daemon: groups matched to releases, and select rules asked once per tick. */
class FleetTest extends DaemonTest {

    static final String RULES = """
            groups:
              - name: fleet
                rules:
                  - name: error-rate
                    signal: errors
                    expr: sum by (service, environment) (rate(errors_total[5m]))
                    select: {service: "{{service}}", environment: "{{environment}}"}
                    guard: sum by (service, environment) (rate(requests_total[5m])) > 1
                    unit: ratio
                    p0: "> 0.05"
                    baseline: offset 1d
                    p1: "> +500%"
                    labels: {team: web}
                    annotations:
                      summary: "5xx ratio of {{service}} in {{environment}}"
                      description: "Share of requests answered with a 5xx, all instances of {{service}}"
                      runbook_url: https://runbooks.example/errors
              - name: journeys
                match: {service: "checkout"}
                rules:
                  - name: journey-errors
                    signal: errors
                    expr: max by (service, journey) (journey_errors)
                    select: {service: "{{service}}"}
                    unit: ratio
                    p1: "> 0.5"
              - name: shops
                match: {service: "shop-.*"}
                rules:
                  - name: orders
                    signal: business
                    expr: sum(orders{service="{{service}}",shop="{{shop}}"})
                    p1: "< 1"
            """;

    WebhookRecorder audit;

    @Override
    protected String rules() {
        return RULES;
    }

    @Override
    protected String extraConfig() {
        return """
                receivers:
                  audit: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [audit]}]
                    preexisting: rollback
                """.formatted(audit.url("/audit"));
    }

    /** One answer holding a series per label set, each with its value. */
    static FakePrometheus.Answer series(Map<Map<String, String>, String> values) {
        JsonArray result = new JsonArray();
        values.forEach((labels, value) -> result.add(new JsonObject().put("metric", new JsonObject(Map.copyOf(labels)))
                .put("value", new JsonArray().add(1.7e9).add(value))));
        return FakePrometheus.ok(new JsonObject().put("resultType", "vector").put("result", result));
    }

    static Map<String, String> of(String service, String environment) {
        return Map.of("service", service, "environment", environment);
    }

    @Override
    protected void prepare() {
        audit = new WebhookRecorder(vertx).start();
        prometheus.answer("errors_total", series(Map.of(of("api", "production"), "0.01", of("web", "production"), "0.09",
                of("shop-eu", "production"), "0.001", of("api", "canary"), "0.02")));
        prometheus.answer("requests_total", series(Map.of(of("api", "production"), "50", of("web", "production"), "50",
                of("shop-eu", "production"), "50")));
        prometheus.answer("orders", FakePrometheus.value("12"));
        prometheus.answer("journey_errors", series(Map.of(
                Map.of("service", "checkout", "journey", "pay"), "0.2",
                Map.of("service", "checkout", "journey", "cart"), "0.1",
                Map.of("service", "search", "journey", "pay"), "0.9")));
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    static JsonObject registration(String service, String environment) {
        return new JsonObject().put("service", service).put("version", "2.0").put("environment", environment);
    }

    static List<String> ruleNames(JsonObject release) {
        return release.getJsonArray("rules").stream().map(r -> ((JsonObject) r).getString("name")).toList();
    }

    @Test
    @DisplayName("a select rule is one query per tick for every release; each is judged on its own series, none is no data")
    void oneQueryForMany() {
        String api = daemon.register(registration("api", "production")).getString("id");
        String web = daemon.register(registration("web", "production")).getString("id");
        String staging = daemon.register(registration("api", "staging")).getString("id");
        prometheus.queries.clear();
        daemon.tick();

        assertEquals(2, prometheus.queries.stream().filter(q -> q.contains("errors_total")).count(),
                "at the tick's time and a day before, for all three: " + prometheus.queries);
        assertEquals(1, prometheus.queries.stream().filter(q -> q.contains("requests_total")).count(),
                prometheus.queries.toString());
        JsonObject apiRule = rule(daemon.release(api), "error-rate");
        assertEquals("ok", apiRule.getString("outcome"), apiRule.encode());
        assertEquals(0.01, apiRule.getDouble("value"));
        assertEquals(0.01, apiRule.getDouble("baseline"), "the offset baseline is selected the same way");
        JsonObject none = rule(daemon.release(staging), "error-rate");
        assertEquals("inconclusive", none.getString("outcome"), none.encode());
        assertEquals("guard not met", none.getString("message"), "no series of its own: the guard finds none either");
        Poll.until(Duration.ofSeconds(5), "web to be rolled back", () -> "rolled_back".equals(daemon.release(web).getString("state")));
        assertEquals(1, deployer.calls.size());
        assertEquals("web", new JsonObject(deployer.calls.get(0).body()).getJsonObject("release").getString("service"));
        assertEquals(0.09, new JsonObject(deployer.calls.get(0).body()).getJsonObject("reason").getDouble("value"));
        assertEquals("watching", daemon.release(api).getString("state"));
    }

    @Test
    @DisplayName("a release gets the rules its group matches, and must give only their variables")
    void rulesPerService() {
        JsonObject api = daemon.register(registration("api", "production"));
        assertEquals(List.of("error-rate"), ruleNames(api), "api needs no {{shop}}: the shop rules do not apply to it");
        HttpResponse<Buffer> noShop = daemon.call("POST", "/api/v1/releases", Daemon.DEPLOYER,
                registration("shop-us", "production"));
        assertEquals(400, noShop.statusCode(), noShop.bodyAsString());
        assertEquals("labels.shop", noShop.bodyAsJsonObject().getString("field"));
        assertEquals("the rules that apply to this release use {{shop}}, so it must be given",
                noShop.bodyAsJsonObject().getString("error"));
        String shop = daemon.register(registration("shop-eu", "production").put("labels", new JsonObject().put("shop", "eu")))
                .getString("id");
        prometheus.queries.clear();
        daemon.tick();
        JsonObject judged = daemon.release(shop);
        assertEquals(List.of("error-rate", "orders"), ruleNames(judged));
        assertEquals(12.0, rule(judged, "orders").getDouble("value"));
        assertTrue(prometheus.queries.contains("sum(orders{service=\"shop-eu\",shop=\"eu\"})"), prometheus.queries.toString());
        assertEquals(1, prometheus.queries.stream().filter(q -> q.contains("orders")).count(), "api is not judged by it");
    }

    @Test
    @DisplayName("a message carries the rule's summary, description and runbook, its labels and the release's, and a link")
    void messagesCarryTheRule() {
        String web = daemon.register(registration("web", "production").put("labels", new JsonObject().put("cluster", "eu-1")))
                .getString("id");
        daemon.tick();
        Poll.until(Duration.ofSeconds(5), "the page", () -> audit.calls("/audit").stream()
                .anyMatch(c -> c.body().contains("\"kind\":\"opened\"")));
        JsonObject message = audit.calls("/audit").stream().map(c -> new JsonObject(c.body()))
                .filter(b -> "opened".equals(b.getString("kind"))).findFirst().orElseThrow().getJsonObject("message");
        List<String> lines = message.getJsonArray("lines").stream().map(String::valueOf).toList();
        assertEquals("- error-rate: 9 % against baseline 9 % (P0 > 5 %): 5xx ratio of web in production", lines.get(0),
                lines.toString());
        assertEquals("  Share of requests answered with a 5xx, all instances of web", lines.get(1));
        assertEquals("  Runbook: https://runbooks.example/errors", lines.get(2));
        assertEquals(Map.of("cluster", "eu-1"), message.getJsonObject("labels").getMap());
        JsonObject note = message.getJsonArray("notes").getJsonObject(0);
        assertEquals(Map.of("team", "web"), note.getJsonObject("labels").getMap());
        assertEquals("https://runbooks.example/errors", note.getString("runbookUrl"));
        assertTrue(message.getString("link").endsWith("/#" + web), message.getString("link"));
    }

    @Test
    @DisplayName("a select rule's release sees its own series without the selected labels, each judged")
    void selectedLabelsStripped() {
        String checkout = daemon.register(registration("checkout", "production")).getString("id");
        daemon.tick();
        JsonObject rule = rule(daemon.release(checkout), "journey-errors");
        assertEquals("ok", rule.getString("outcome"), rule.encode());
        assertEquals(0.2, rule.getDouble("value"), "the worst of its journeys, not search's 0.9");
        List<Object> labels = rule.getJsonArray("series").stream()
                .map(s -> ((JsonObject) s).getJsonObject("labels").getMap()).map(Object.class::cast).toList();
        assertEquals(2, labels.size(), rule.encode());
        assertTrue(labels.containsAll(List.of(Map.of("journey", "pay"), Map.of("journey", "cart"))),
                "the service label is the release's own, and not repeated: " + rule.encode());
    }
}
