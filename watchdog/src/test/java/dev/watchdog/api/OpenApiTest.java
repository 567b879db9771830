package dev.watchdog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchdog.config.Role;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The OpenAPI document is kept true: the router's routes and the document's operations, methods and roles agree. */
class OpenApiTest extends DaemonTest {

    /** Routes that are not the API: the on-call page's static files. */
    private static final Set<String> NOT_API = Set.of("GET /", "HEAD /");
    private static final Map<Role, String> TOKENS = Map.of(Role.VIEWER, Daemon.VIEWER, Role.DEPLOYER, Daemon.DEPLOYER,
            Role.ONCALL, Daemon.ONCALL, Role.ADMIN, Daemon.ADMIN);

    @Override
    protected String rules() {
        return """
                groups:
                  - name: g
                    rules:
                      - {name: error-rate, signal: errors, expr: 'error_ratio{service="{{service}}"}', p0: "> 0.05"}
                """;
    }

    JsonNode document() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(OpenApi.read());
    }

    /** "METHOD /path/{param}" of every operation the document describes, with its x-watchdog-role. */
    Map<String, String> operations() throws Exception {
        Map<String, String> ops = new TreeMap<>();
        document().path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (!op.getKey().equals("parameters")) {
                ops.put(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue().path("x-watchdog-role").asText());
            }
        }));
        return ops;
    }

    /** "METHOD /path/{param}" of every route the API's router serves with a method of its own. */
    Set<String> routes() {
        Api api = new Api(null, null, () -> new RuleSet(List.of()), null, new WatchdogMetrics(), () -> true, null, Map::of);
        Set<String> routes = new TreeSet<>();
        for (Route route : api.router(vertx, java.time.Clock.systemUTC(), () -> new WatchdogConfig.Server(null, null, null, null, null)).getRoutes()) {
            if (route.getPath() != null && route.methods() != null) {
                route.methods().forEach(m -> routes.add(m.name() + " " + route.getPath().replaceAll(":(\\w+)", "{$1}")));
            }
        }
        routes.removeAll(NOT_API);
        return routes;
    }

    @Test
    @DisplayName("is served without a token as OpenAPI 3 YAML, the document from the jar as it is")
    void served() throws Exception {
        HttpResponse<Buffer> response = daemon.call("GET", OpenApi.PATH, null, null);
        assertEquals(200, response.statusCode());
        assertEquals("application/yaml; charset=utf-8", response.getHeader("Content-Type"));
        assertEquals(new String(OpenApi.read(), StandardCharsets.UTF_8), response.bodyAsString());
        assertTrue(document().path("openapi").asText().startsWith("3."), "an OpenAPI 3 document");
    }

    @Test
    @DisplayName("describes every route of the router, and nothing that is not one")
    void sameRoutes() throws Exception {
        assertEquals(routes(), operations().keySet());
    }

    @Test
    @DisplayName("names each operation's role, and the API enforces exactly that role: 401 without, 403 just below")
    void sameRoles() throws Exception {
        for (Map.Entry<String, String> op : operations().entrySet()) {
            String method = op.getKey().substring(0, op.getKey().indexOf(' '));
            String path = op.getKey().substring(method.length() + 1).replace("{id}", "rel_unknown");
            JsonNode security = document().path("paths").path(op.getKey().substring(method.length() + 1))
                    .path(method.toLowerCase()).path("security");
            if (op.getValue().equals("signed")) {
                assertTrue(security.isArray() && security.isEmpty(), op.getKey() + " is taken by signature: security []");
                assertEquals(401, daemon.call(method, path, null, null).statusCode(), op.getKey() + " unsigned");
                assertEquals(401, daemon.call(method, path, Daemon.ADMIN, null).statusCode(),
                        op.getKey() + " with a token, which is no signature");
                continue;
            }
            if (op.getValue().equals("none")) {
                assertTrue(security.isArray() && security.isEmpty(), op.getKey() + " says it needs no token: security []");
                assertEquals(200, daemon.call(method, path, null, null).statusCode(), op.getKey() + " without a token");
                continue;
            }
            assertTrue(security.isMissingNode(), op.getKey() + " takes the document's bearer security");
            Role role = Role.of(op.getValue());
            assertEquals(401, daemon.call(method, path, null, null).statusCode(), op.getKey() + " without a token");
            if (role.ordinal() > 0) {
                Role below = Role.values()[role.ordinal() - 1];
                assertEquals(403, daemon.call(method, path, TOKENS.get(below), null).statusCode(),
                        op.getKey() + " with a " + below.label() + " token");
            }
            int status = daemon.call(method, path, TOKENS.get(role), null).statusCode();
            assertNotEquals(401, status, op.getKey() + " with a " + role.label() + " token");
            assertNotEquals(403, status, op.getKey() + " with a " + role.label() + " token");
        }
    }

    @Test
    @DisplayName("every reference in the document points at a component it defines")
    void references() throws Exception {
        JsonNode doc = document();
        List<String> refs = doc.findValuesAsText("$ref");
        assertTrue(refs.size() > 20, "refs: " + refs);
        for (String ref : refs) {
            JsonNode target = doc.at(ref.substring(1));
            assertTrue(!target.isMissingNode(), "unresolved " + ref);
        }
    }
}
