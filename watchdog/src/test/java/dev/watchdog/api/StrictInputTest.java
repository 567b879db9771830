package dev.watchdog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.watchdog.api.BadBodies.Case;
import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Strict input over real HTTP: hundreds of bad bodies refused with 4xx naming the field, nothing stored; good ones still pass. */
class StrictInputTest extends DaemonTest {

    private static final String RELEASES = "/api/v1/releases";

    @Override
    protected String rules() {
        return """
                groups:
                  - name: g
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: error_ratio{service="{{service}}"}
                        p0: "> 0.05"
                """;
    }

    @TestFactory
    @DisplayName("every bad registration body gets 4xx with the field at fault, and none is registered")
    Stream<DynamicTest> badRegistrations() {
        List<Case> cases = BadBodies.registrations();
        assertTrue(cases.size() > 500, "the corpus has " + cases.size() + " bodies");
        return Stream.concat(cases.stream().map(c -> dynamicTest(c.name(), () -> assertRefused(RELEASES, Daemon.DEPLOYER, c))),
                Stream.of(dynamicTest("nothing was registered", () -> assertEquals(0,
                        daemon.call("GET", RELEASES, Daemon.VIEWER, null).bodyAsJsonArray().size()))));
    }

    @TestFactory
    @DisplayName("every bad decision body gets 4xx with the field at fault, and the release is untouched")
    Stream<DynamicTest> badDecisions() {
        String id = daemon.register(new JsonObject(BadBodies.registration().entrySet().stream()
                .map(e -> BadBodies.quote(e.getKey()) + ": " + e.getValue()).collect(Collectors.joining(", ", "{", "}"))))
                .getString("id");
        List<Case> cases = BadBodies.decisions();
        return Stream.concat(cases.stream().map(c -> dynamicTest(c.name(),
                        () -> assertRefused(RELEASES + "/" + id + "/finish", Daemon.DEPLOYER, c))),
                Stream.of(dynamicTest("the release is still watched, with no decision recorded", () -> {
                    assertEquals("watching", daemon.release(id).getString("state"));
                    assertFalse(daemon.events(id).encode().contains("\"finished\""), daemon.events(id).encode());
                })));
    }

    void assertRefused(String path, String token, Case c) {
        HttpResponse<Buffer> response = daemon.send("POST", path, token, c.contentType(), c.body());
        String shown = response.bodyAsString();
        assertEquals(c.status(), response.statusCode(), shown);
        assertEquals("application/json", response.getHeader("Content-Type"));
        JsonObject body = response.bodyAsJsonObject();
        assertEquals(c.field(), body.getString("field"), shown);
        assertEquals(c.field() == null ? Set.of("error") : Set.of("error", "field"), body.fieldNames(), shown);
        String error = body.getString("error");
        assertFalse(error.isBlank(), shown);
        assertTrue(error.length() < 200, "a short message: " + shown);
        assertTrue(error.codePoints().allMatch(ch -> ch >= 0x20 && Character.getType(ch) != Character.FORMAT
                && Character.getType(ch) != Character.CONTROL && ch != 0x2028 && ch != 0x2029 && ch != 0xFFFD),
                "hidden characters are written out, never echoed: " + shown);
        assertFalse(error.contains("0123456789abcdef") || error.contains("a".repeat(41)), "no long echo: " + shown);
    }

    @Test
    @DisplayName("the issue's examples are refused with messages a person understands")
    void issueExamples() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("{\"service\": 123, \"version\": \"1\", \"environment\": \"p\"}",
                "service|service must be a string, not a number");
        expected.put("{\"service\": \"   \", \"version\": \"1\", \"environment\": \"p\"}", "service|service must not be blank");
        expected.put("{\"service\": \"api\u202Egpj.exe\", \"version\": \"1\", \"environment\": \"p\"}",
                "service|service contains an invisible bidirectional-text control at character 4 (U+202E)");
        expected.put("{\"service\": \"api\", \"version\": \"1\", \"environment\": \"p\", \"window\": \"99999d\"}",
                "window|window must be at most 30d");
        expected.put("{\"service\": \"api\", \"service\": \"web\", \"version\": \"1\", \"environment\": \"p\"}",
                "service|service is given twice");
        expected.put("{\"service\": \"api\", \"version\": \"1\", \"environment\": \"p\"} {}",
                "|there is more after the JSON object: send exactly one");
        expected.put("{\"service\": true, \"version\": \"1\", \"environment\": \"p\", \"window\": 3600}",
                "service|service must be a string, not true or false");
        expected.forEach((body, answer) -> {
            HttpResponse<Buffer> r = daemon.send("POST", RELEASES, Daemon.DEPLOYER, "application/json",
                    body.getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), r.bodyAsString());
            String field = answer.substring(0, answer.indexOf('|'));
            assertEquals(field.isEmpty() ? null : field, r.bodyAsJsonObject().getString("field"), r.bodyAsString());
            assertEquals(answer.substring(answer.indexOf('|') + 1), r.bodyAsJsonObject().getString("error"));
        });
        byte[] latin1 = "{\"service\": \"zahlungsdienst-s\u00fcd\", \"version\": \"1\", \"environment\": \"p\"}"
                .getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<Buffer> notUtf8 = daemon.send("POST", RELEASES, Daemon.DEPLOYER, "application/json", latin1);
        assertEquals(400, notUtf8.statusCode());
        assertEquals("{\"error\":\"service is not valid UTF-8 (byte 30 of the body)\",\"field\":\"service\"}",
                notUtf8.bodyAsString());
        HttpResponse<Buffer> form = daemon.send("POST", RELEASES, Daemon.DEPLOYER, "application/x-www-form-urlencoded",
                "service=api".getBytes(StandardCharsets.UTF_8));
        assertEquals(415, form.statusCode());
        assertEquals("{\"error\":\"send the body as Content-Type: application/json, not "
                + "'application/x-www-form-urlencoded'\",\"field\":\"Content-Type\"}", form.bodyAsString());
        assertEquals(0, daemon.call("GET", RELEASES, Daemon.VIEWER, null).bodyAsJsonArray().size());
    }

    @Test
    @DisplayName("good bodies still register: unicode names, many labels, durations like 1h30m, charset=utf-8, nulls")
    void goodBodies() {
        String labels32 = IntStream.range(0, 32).mapToObj(i -> "\"l" + i + "\": \"v" + i + "\"")
                .collect(Collectors.joining(", ", "{", "}"));
        List<String> bodies = List.of(
                "{\"service\": \"zahlungs-dienst\", \"version\": \"2.0.0-rc.1+build.7\", \"environment\": \"production\"}",
                "{\"service\": \"zahlungsdienst-s\u00fcd\", \"version\": \"1\", \"environment\": \"Z\u00fcrich\", \"labels\": "
                        + "{\"cluster\": \"eu-1\", \"_team\": \"\u6d4b\u8bd5 \u00e9quipe\"}}",
                "{\"service\": \"\u043f\u043b\u0430\u0442\u0435\u0436\u0438\", \"version\": \"1\", \"environment\": \"prod\", "
                        + "\"window\": \"1h30m\", \"bake\": \"1h30m\"}",
                "{\"service\": \"\u652f\u4ed8-\u0634\u0628\u0643\u0629\", \"version\": \"1\", \"environment\": \"prod\", \"window\": \"30d\", "
                        + "\"bake\": \"500ms\"}",
                "{\"service\": \"my service\", \"version\": \"1\", \"environment\": \"prod\", \"window\": \"1w\", "
                        + "\"labels\": " + labels32 + "}",
                "{\"service\": \"" + "s".repeat(128) + "\", \"version\": \"1\", \"environment\": \"prod\", "
                        + "\"labels\": {\"cluster\": \"" + "v".repeat(256) + "\"}}",
                "{\"service\": \"api\", \"version\": \"1\", \"environment\": \"prod\", \"previousVersion\": null, "
                        + "\"labels\": null, \"window\": null, \"bake\": null, \"policy\": null, \"rollback\": null}",
                " \n{\"service\": \"api\", \"version\": \"1\", \"environment\": \"staging\", \"policy\": \"default\", "
                        + "\"rollback\": \"default\"}\n");
        List<String> types = List.of("application/json", "application/json; charset=utf-8",
                "Application/JSON;Charset=\"UTF-8\"");
        for (int i = 0; i < bodies.size(); i++) {
            HttpResponse<Buffer> r = daemon.send("POST", RELEASES, Daemon.DEPLOYER, types.get(i % types.size()),
                    bodies.get(i).getBytes(StandardCharsets.UTF_8));
            assertEquals(201, r.statusCode(), bodies.get(i) + " -> " + r.bodyAsString());
        }
        JsonObject sued = daemon.call("GET", RELEASES + "?state=watching", Daemon.VIEWER, null).bodyAsJsonArray().stream()
                .map(JsonObject.class::cast).filter(r -> r.getString("service").startsWith("zahlungsdienst"))
                .findFirst().orElseThrow();
        assertEquals("zahlungsdienst-s\u00fcd", sued.getString("service"));
        assertEquals("\u6d4b\u8bd5 \u00e9quipe", sued.getJsonObject("labels").getString("_team"));
    }

    @Test
    @DisplayName("a good reason is kept as given: several lines, tabs, unicode, 2000 characters")
    void goodReason() {
        String id = daemon.register(new JsonObject().put("service", "api").put("version", "1").put("environment", "p"))
                .getString("id");
        String start = "smoke tests green\n\tchecked by \u00e9quipe \u6d4b\u8bd5 \ud83d\udc4d\n";
        String reason = start + "x".repeat(2000 - start.codePointCount(0, start.length()));
        HttpResponse<Buffer> r = daemon.call("POST", RELEASES + "/" + id + "/finish", Daemon.DEPLOYER,
                new JsonObject().put("reason", reason));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertTrue(daemon.events(id).encode().contains(new JsonObject().put("reason", reason).encode()
                .replaceAll("^\\{|}$", "")), "the reason is recorded as given");
    }
}
