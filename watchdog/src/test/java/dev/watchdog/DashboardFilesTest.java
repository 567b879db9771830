package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.core.Unit;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleLoader;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped Grafana dashboards as files, without a Prometheus (DashboardsIT runs their queries):
 * how "Import dashboard" and provisioning pick their data source, the colour a stat shows, the unit
 * a rule's values show in.
 */
class DashboardFilesTest {

    static final Path DASHBOARDS = Path.of("..", "grafana", "dashboards");
    static final List<String> FILES = List.of("releases.json", "watchdog.json");

    static GrafanaDashboard read(String file) {
        return GrafanaDashboard.read(DASHBOARDS.resolve(file));
    }

    static JsonObject panel(String file, String title) {
        return read(file).panels().stream().filter(p -> title.equals(p.getString("title"))).findFirst()
                .orElseThrow(() -> new AssertionError(file + ": no panel " + title));
    }

    @Nested
    @DisplayName("units")
    class Units {

        static final Map<Unit, String> GRAFANA = Map.of(Unit.RATIO, "percentunit", Unit.PERCENT, "percent",
                Unit.SECONDS, "s", Unit.BYTES, "bytes", Unit.COUNT, "short", Unit.NONE, "short");

        @Test
        @DisplayName("each shipped rule's value, limits and baseline show in the rule's unit: a ratio as a percentage, seconds as a duration")
        void shippedRulesInTheirUnit() throws IOException {
            JsonObject panel = panel("releases.json", "$rule: value against thresholds and baseline");
            List<Path> files;
            try (var listed = Files.list(Path.of("..", "rules"))) {
                files = listed.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
            }
            List<Rule> rules = RuleLoader.load(files).rules();
            assertTrue(rules.size() > 20, "the shipped rules: " + rules.size());
            for (Rule rule : rules) {
                Map<String, String> labels = Map.of("rule", rule.name(), "service", "checkout",
                        "environment", "production", "severity", "p1");
                for (Object t : panel.getJsonArray("targets")) {
                    String name = GrafanaDashboard.legend(((JsonObject) t).getString("legendFormat"), labels);
                    assertEquals(GRAFANA.get(rule.presentation().unit()), GrafanaDashboard.unit(panel, name),
                            name + " (" + rule.name() + " is in " + rule.presentation().unit() + ")");
                }
            }
        }
    }

    @Nested
    @DisplayName("colours")
    class Colours {

        @ParameterizedTest(name = "{0} / {1}: {2} = {3} shows {4}")
        @DisplayName("a failure shows red as soon as there is one, green at none; what needs a look shows orange")
        @CsvSource(delimiter = '|', textBlock = """
                releases.json | Open releases by state                           | rollback_failed | 0 | green
                releases.json | Open releases by state                           | rollback_failed | 1 | red
                releases.json | Open releases by state                           | degraded        | 2 | orange
                releases.json | Open releases by state                           | rolling_back    | 1 | orange
                releases.json | Open releases by state                           | rolled_back     | 1 | orange
                releases.json | Open releases by state                           | watching        | 5 | green
                releases.json | Releases ended in the time range, by final state | rollback_failed | 0 | green
                releases.json | Releases ended in the time range, by final state | rollback_failed | 1 | red
                releases.json | Releases ended in the time range, by final state | rolled_back     | 1 | orange
                releases.json | Releases ended in the time range, by final state | passed          | 7 | green
                releases.json | Incidents opened in the time range, by severity  | P0              | 0 | green
                releases.json | Incidents opened in the time range, by severity  | P0              | 1 | red
                releases.json | Incidents opened in the time range, by severity  | P1              | 0 | green
                releases.json | Incidents opened in the time range, by severity  | P1              | 3 | orange
                releases.json | Rollbacks in the time range, by outcome          | failed          | 0 | green
                releases.json | Rollbacks in the time range, by outcome          | failed          | 1 | red
                releases.json | Rollbacks in the time range, by outcome          | succeeded       | 1 | green
                watchdog.json | Rollbacks in the time range                      | failed          | 0 | green
                watchdog.json | Rollbacks in the time range                      | failed          | 2 | red
                watchdog.json | Receivers                                        | slack           | 0 | green
                watchdog.json | Receivers                                        | slack           | 1 | red
                watchdog.json | Last reload                                      | replica-1       | 1 | green
                watchdog.json | Last reload                                      | replica-1       | 0 | red
                watchdog.json | Prometheus                                       | replica-1       | 1 | green
                watchdog.json | Prometheus                                       | replica-1       | 0 | red
                watchdog.json | Since the last complete evaluation               | age             | 30 | green
                watchdog.json | Since the last complete evaluation               | age             | 300 | orange
                watchdog.json | Since the last complete evaluation               | age             | 900 | red
                """)
        void colour(String file, String title, String series, double value, String colour) {
            assertEquals(colour, GrafanaDashboard.colour(panel(file, title), series, value));
        }
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
