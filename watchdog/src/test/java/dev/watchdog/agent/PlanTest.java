package dev.watchdog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlanTest {

    static final Path DIR = Path.of("/srv/agent");

    final AgentConfig config = new ConfigLoader(Map.of("TOKEN", "t0ken")::get).parse("""
            secret: s
            actions:
              - name: api-eu
                match: {service: "api|web", environment: production, labels: {cluster: "eu-.*"}}
                steps:
                  - name: undo
                    command: [kubectl, --context, "{{label.cluster}}", rollout, undo, "deployment/{{service}}"]
                  - name: pin
                    command: [/bin/pin, "{{service}}={{previous_version}}", "{{release_id}}"]
                    workingDir: deploy
              - name: api-anywhere
                match: {service: api}
                steps:
                  - name: dispatch
                    http: {url: "https://ci.example/{{service}}/rollback", body: '{"v": "{{previous_version}}"}',
                           headers: {Authorization: "Bearer ${env:TOKEN}"}}
            """, "agent.yml", AgentConfig.class);

    static Call call(String service, String environment, Map<String, String> labels, String previous) {
        return new Call("rel_1:rollback", "rel_1", service, "1.4.0", previous, environment, labels, "error-rate", "P0",
                "watchdog");
    }

    static String why(Runnable r) {
        AgentException e = assertThrows(AgentException.class, r::run);
        assertEquals(422, e.status());
        return e.getMessage();
    }

    @Test
    @DisplayName("the first action whose match fits runs, each argument filled on its own")
    void firstMatchFilled() {
        Plan plan = Plan.of(config, call("web", "production", Map.of("cluster", "eu-1"), "1.3.2"), DIR);
        assertEquals("api-eu", plan.action());
        Task.Run undo = (Task.Run) plan.tasks().get(0);
        assertEquals(List.of("kubectl", "--context", "eu-1", "rollout", "undo", "deployment/web"), undo.argv());
        Task.Run pin = (Task.Run) plan.tasks().get(1);
        assertEquals(List.of("/bin/pin", "web=1.3.2", "rel_1"), pin.argv());
        assertEquals(DIR.resolve("deploy"), pin.workingDir());
    }

    @Test
    @DisplayName("matches are anchored: 'api' fits neither 'api-gateway' nor 'my-api'; the next action is tried")
    void anchored() {
        assertEquals("api-anywhere", Plan.of(config, call("api", "production", Map.of("cluster", "us-1"), "1.3.2"), DIR).action());
        assertTrue(why(() -> Plan.of(config, call("api-gateway", "production", Map.of("cluster", "eu-1"), "1"), DIR))
                .startsWith("no action matches service 'api-gateway' in environment 'production'"));
        why(() -> Plan.of(config, call("my-api", "production", Map.of(), "1"), DIR));
    }

    @Test
    @DisplayName("an http step fills its URL and body; its headers keep the secret as given")
    void http() {
        Task.Request r = (Task.Request) Plan.of(config, call("api", "staging", Map.of(), "1.3.2"), DIR).tasks().get(0);
        assertEquals("https://ci.example/api/rollback", r.url());
        assertEquals("{\"v\": \"1.3.2\"}", r.body());
        assertEquals("POST", r.method());
        assertEquals("Bearer t0ken", r.headers().get("Authorization").value());
        assertTrue(!r.toString().contains("t0ken") && !r.toString().contains("ci.example"), r.toString());
    }

    @Test
    @DisplayName("nothing is planned when a value is missing or unsafe: the whole call is refused, naming the value")
    void refused() {
        assertTrue(why(() -> Plan.of(config, call("web", "production", Map.of("cluster", "eu-1"), null), DIR))
                .contains("no value for {{previous_version}}"));
        assertTrue(why(() -> Plan.of(config, call("web", "production", Map.of("cluster", "eu-1"), "--kubeconfig=/tmp/x"), DIR))
                .contains("must not begin with '-'"));
        assertTrue(why(() -> Plan.of(config, call("web", "production", Map.of("cluster", "eu-1"), "1\"; rm -rf /"), DIR))
                .contains("quotes"));
        assertTrue(why(() -> Plan.of(config, call("web", "production", Map.of("cluster", "eu-1\""), "1"), DIR))
                .contains("{{label.cluster}}"));
    }

    @Test
    @DisplayName("a placeholder in an http step's scheme, host or port is refused at load")
    void hostIsFixed() {
        for (String url : List.of("https://{{service}}.example/rollback", "https://ci.example:{{label.port}}/x",
                "https://ci.example{{service}}/x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new AgentConfig.Http(url, null, null, null), url);
            assertTrue(e.getMessage().contains("never the scheme, host or port"), e.getMessage());
        }
    }
}
