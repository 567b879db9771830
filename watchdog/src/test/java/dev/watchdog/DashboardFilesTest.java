package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboards as files, without a Prometheus (DashboardsIT runs their queries):
 * how "Import dashboard" and provisioning pick their data source.
 */
class DashboardFilesTest {

    static final Path DASHBOARDS = Path.of("..", "grafana", "dashboards");
    static final List<String> FILES = List.of("releases.json", "watchdog.json");

    static GrafanaDashboard read(String file) {
        return GrafanaDashboard.read(DASHBOARDS.resolve(file));
    }

    @Nested
    @DisplayName("data source")
    class Datasource {

        @Test
        @DisplayName("Import dashboard asks for one Prometheus data source, and every query then goes to the one picked")
        void importAsksForPrometheus() {
            for (String file : FILES) {
                GrafanaDashboard d = read(file);
                List<JsonObject> inputs = d.json().getJsonArray("__inputs").stream().map(JsonObject.class::cast).toList();
                assertEquals(1, inputs.size(), file + ": one input");
                JsonObject input = inputs.get(0);
                assertEquals("datasource", input.getString("type"), file);
                assertEquals("prometheus", input.getString("pluginId"), file);

                GrafanaDashboard imported = d.imported(Map.of(input.getString("name"), "mimir-eu"));
                String picked = imported.variable("datasource").getJsonObject("current").getString("value");
                assertEquals("mimir-eu", picked, file + ": the data source variable starts on the data source picked");
                List<JsonObject> prometheus = prometheusRefs(imported);
                assertFalse(prometheus.isEmpty(), file);
                for (JsonObject ref : prometheus) {
                    assertEquals("mimir-eu", GrafanaDashboard.interpolate(ref.getString("uid"), Map.of("datasource", picked)),
                            file + ": " + ref.encode());
                }
            }
        }

        @Test
        @DisplayName("each panel, annotation and variable takes its Prometheus from $datasource, a variable listing Prometheus data sources")
        void everyQueryOnTheVariable() {
            for (String file : FILES) {
                GrafanaDashboard d = read(file);
                JsonObject variable = d.variable("datasource");
                assertEquals("datasource", variable.getString("type"), file);
                assertEquals("prometheus", variable.getString("query"), file + ": lists Prometheus data sources");
                Set<String> uids = prometheusRefs(d).stream().map(r -> r.getString("uid")).collect(Collectors.toSet());
                assertEquals(Set.of("${datasource}"), uids, file);
                long refs = d.datasources().stream().filter(r -> !"grafana".equals(r.getString("type"))).count();
                assertEquals(prometheusRefs(d).size(), refs, file + ": every other data source is Grafana's own");
            }
        }

        @Test
        @DisplayName("__requires names Grafana 10.4, the Prometheus plugin and every panel type used")
        void requires() {
            for (String file : FILES) {
                GrafanaDashboard d = read(file);
                Set<String> required = d.json().getJsonArray("__requires").stream().map(JsonObject.class::cast)
                        .map(r -> r.getString("type") + ":" + r.getString("id")).collect(Collectors.toCollection(TreeSet::new));
                Set<String> needed = new TreeSet<>(Set.of("grafana:grafana", "datasource:prometheus"));
                d.panels().stream().map(p -> p.getString("type")).filter(t -> !t.equals("row"))
                        .forEach(t -> needed.add("panel:" + t));
                assertEquals(needed, required, file);
            }
        }

        private static List<JsonObject> prometheusRefs(GrafanaDashboard d) {
            return d.datasources().stream().filter(r -> "prometheus".equals(r.getString("type"))).toList();
        }
    }
}
