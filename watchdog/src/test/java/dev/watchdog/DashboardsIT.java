package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.GrafanaDashboard.Query;
import dev.watchdog.demo.DemoService;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealPrometheus;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shipped Grafana dashboards against a real Prometheus that scrapes the running daemon: the test
 * makes a healthy release, a degraded one (P1, people notified), a rolled-back one (P0) and one whose
 * rollback failed, each on a demo service whose error ratio it sets; then runs every panel's query
 * as Grafana would send it (variables set to one value, and to All) and asserts each answers without
 * error or warning, and returns series where the test made data. The same Prometheus evaluates the
 * watchdog's own alerting rules on these real metrics.
 */
class DashboardsIT {

    static final Path DIR = Path.of("target", "it", "dashboards");
    static final Path GRAFANA = Path.of("..", "grafana");
    static final Path SELF_RULES = Path.of("..", "alertmanager", "watchdog.rules.yml");
    static final List<String> DASHBOARDS = List.of("releases.json", "watchdog.json");
    /** The uid of the data source grafana/provisioning/datasources/prometheus.yml makes. */
    static final String PROVISIONED_DATASOURCE = "prometheus";

    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: |
                      sum(rate(http_requests_total{instance="{{instance}}",status=~"5.."}[5s]))
                        / sum(rate(http_requests_total{instance="{{instance}}"}[5s]))
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.5"
                    for: 1s
                    annotations: {runbook: "https://runbooks.example/error-rate"}
                  - name: traffic
                    signal: traffic
                    expr: sum(rate(http_requests_total{instance="{{instance}}"}[5s]))
                    unit: none
                    baseline: before-release
                    p1: "< -50%"
            """;

    static RealStack stack;
    static RealPrometheus prometheus;
    static RealDaemon daemon;
    static WebhookRecorder people;
    static Instant dataFrom;
    /** The answers to the "All" queries, for the pictures of the dashboards. */
    static final Map<String, JsonObject> ANSWERS = new ConcurrentHashMap<>();

    @BeforeAll
    static void makeData() {
        stack = RealStack.start(DIR, List.of(SELF_RULES));
        prometheus = stack.prometheus;
        Map<String, DemoService> services = Map.of("checkout", stack.service, "search", demo(), "payments", demo(),
                "inventory", demo());
        stack.prometheus.scrape("demo", services.values().stream().filter(s -> s != stack.service)
                .map(s -> "127.0.0.1:" + s.port()).toArray(String[]::new));
        people = new WebhookRecorder(stack.vertx).start();
        daemon = RealDaemon.start(DIR.resolve("daemon"), prometheus.url(), stack.recorder.url("/rollback"), null, "1s",
                RULES, """
                        receivers:
                          team: {webhook: {url: "%s"}}
                        escalation:
                          default:
                            levels:
                              - {after: 0m, notify: [team]}
                        """.formatted(people.url("/team")));
        prometheus.scrape("watchdog", daemon.url().replace("http://", ""));
        dataFrom = Instant.now();
        Poll.until(Duration.ofSeconds(30), "traffic from every demo service", () -> prometheus
                .query("count(sum by (instance) (rate(http_requests_total[5s])) > 0)").contains("\"4\"]"));
        Map<String, String> ids = services.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> daemon.register(new JsonObject().put("service", e.getKey()).put("version", "2.1.0")
                        .put("previousVersion", "2.0.9").put("environment", "production").put("window", "1h")
                        .put("labels", new JsonObject().put("instance", "127.0.0.1:" + e.getValue().port())))));
        ids.values().forEach(id -> Poll.until(Duration.ofSeconds(30), id + " judged ok",
                () -> daemon.release(id).getJsonArray("rules").stream()
                        .allMatch(r -> "ok".equals(((JsonObject) r).getString("outcome")))));

        services.get("search").errorRatio(0.1);
        services.get("payments").errorRatio(0.9);
        awaitState(ids.get("search"), "degraded");
        awaitState(ids.get("payments"), "rolled_back");
        Poll.until(Duration.ofSeconds(30), "the team told of the P1", () -> !people.calls("/team").isEmpty());
        stack.recorder.reply(WebhookRecorder.Reply.status(400));
        services.get("inventory").errorRatio(0.9);
        awaitState(ids.get("inventory"), "rollback_failed");
        Poll.until(Duration.ofSeconds(30), "Prometheus to scrape the watchdog's state", () ->
                prometheus.query("watchdog_rollbacks_total{job=\"watchdog\",outcome=\"failed\"} == 1").contains("\"1\"]")
                        && prometheus.query("watchdog_releases{job=\"watchdog\",state=\"degraded\"} == 1").contains("\"1\"]"));
    }

    @AfterAll
    static void stop() throws Exception {
        sketches();
        if (daemon != null) {
            daemon.stop();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @TestFactory
    @DisplayName("every panel's query answers without error or warning, with data where the test made some")
    Stream<DynamicTest> everyPanelQuery() {
        String instance = daemon.url().replace("http://", "");
        Map<String, String> one = Map.of("service", "search", "environment", "production", "rule", "traffic",
                "instance", GrafanaDashboard.regexEscaped(instance));
        Map<String, String> all = Map.of("service", ".*", "environment", ".*", "rule", ".*", "instance", ".*");
        return DASHBOARDS.stream().map(f -> GrafanaDashboard.read(GRAFANA.resolve("dashboards").resolve(f)))
                .flatMap(d -> d.queries().stream())
                .flatMap(q -> Stream.of(
                        DynamicTest.dynamicTest(q + " [one value each]", () -> answers(q, one)),
                        DynamicTest.dynamicTest(q + " [All]", () -> ANSWERS.put(q.toString(), answers(q, all)))));
    }

    /** The query's data, after asserting it answered as a dashboard needs. */
    private static JsonObject answers(Query query, Map<String, String> selection) {
        Instant now = Instant.now();
        long range = Duration.between(dataFrom, now).toSeconds() + 1;
        Map<String, String> values = new HashMap<>(selection);
        // As Grafana computes them for a short range over a 1 s scrape interval: the step is the
        // interval, and $__rate_interval is four scrape intervals. $datasource stands at the
        // provisioned data source, the only Prometheus of a Grafana provisioned from grafana/.
        values.putAll(Map.of("__range", range + "s", "__rate_interval", "4s", "__interval", "1s",
                "datasource", PROVISIONED_DATASOURCE));
        assertEquals("prometheus", query.datasource().getString("type"), query + ": a Prometheus data source");
        assertEquals(PROVISIONED_DATASOURCE, GrafanaDashboard.interpolate(query.datasource().getString("uid"), values),
                query + ": the data source $datasource picks");
        String promql = GrafanaDashboard.interpolate(query.expr(), values);
        String path = query.instant()
                ? "/api/v1/query?time=" + now.getEpochSecond() + "&query=" + encode(promql)
                : "/api/v1/query_range?start=" + dataFrom.getEpochSecond() + "&end=" + now.getEpochSecond()
                        + "&step=1&query=" + encode(promql);
        String body = prometheus.get(path);
        JsonObject answer = new JsonObject(body);
        assertEquals("success", answer.getString("status"), query + " sent " + promql + ": " + body);
        assertFalse(answer.containsKey("warnings"), query + ": " + body);
        assertFalse(answer.getJsonObject("data").getJsonArray("result").isEmpty(),
                query + " sent " + promql + " and got no series: " + body);
        return answer.getJsonObject("data");
    }

    /**
     * Writes each dashboard as an HTML sketch filled with the test's data; with
     * {@code -Ddashboards.pictures=DIR}, Chromium also renders each to DIR/NAME.png (docs/dashboards.md).
     */
    private static void sketches() throws Exception {
        String pictures = System.getProperty("dashboards.pictures");
        for (String file : DASHBOARDS) {
            GrafanaDashboard d = GrafanaDashboard.read(GRAFANA.resolve("dashboards").resolve(file));
            Path html = Files.writeString(DIR.resolve(file.replace(".json", ".html")),
                    DashboardSketch.html(d, ANSWERS));
            if (pictures != null && !ANSWERS.isEmpty()) {
                Path png = Path.of(pictures).toAbsolutePath().resolve(file.replace(".json", ".png"));
                RealProcess chromium = RealProcess.start(List.of(
                        RealProcess.binary("chromium", "chromium"), "--headless=new", "--no-sandbox",
                        "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars", "--window-size=1600," + DashboardSketch.height(d),
                        "--screenshot=" + png, html.toAbsolutePath().toUri().toString()), Map.of(),
                        DIR.resolve("chromium-" + file + ".log"));
                assertEquals(0, chromium.exitCode(120), chromium.log());
            }
        }
    }

    @Test
    @DisplayName("the dashboards are Grafana JSON of a current schema, laid out on the 24-column grid, with their variables")
    void validDashboards() {
        for (String file : DASHBOARDS) {
            GrafanaDashboard d = GrafanaDashboard.read(GRAFANA.resolve("dashboards").resolve(file));
            assertTrue(d.json().getInteger("schemaVersion") >= 39, file + ": schemaVersion");
            assertTrue(d.json().getString("uid").matches("[a-z0-9-]{1,40}"), file + ": uid");
            Set<Integer> ids = new HashSet<>();
            for (JsonObject panel : d.panels()) {
                assertTrue(ids.add(panel.getInteger("id")), file + ": panel ids are unique: " + panel.getInteger("id"));
                JsonObject grid = panel.getJsonObject("gridPos");
                assertTrue(grid.getInteger("x") + grid.getInteger("w") <= 24, file + ": " + panel.getString("title"));
                assertTrue(panel.containsKey("type") && panel.containsKey("title"), file + ": panel " + panel.encode());
            }
            assertFalse(d.queries().isEmpty(), file);
        }
        Set<String> releases = GrafanaDashboard.read(GRAFANA.resolve("dashboards/releases.json")).variables().stream()
                .map(GrafanaDashboard.Variable::name).collect(Collectors.toSet());
        assertTrue(releases.containsAll(Set.of("service", "environment")), releases.toString());
    }

    @Test
    @DisplayName("the provisioned datasource is the default Prometheus, and the provider loads a folder of dashboards")
    void provisioning() throws Exception {
        String datasource = Files.readString(GRAFANA.resolve("provisioning/datasources/prometheus.yml"));
        assertTrue(datasource.contains("uid: " + PROVISIONED_DATASOURCE) && datasource.contains("type: prometheus")
                && datasource.contains("isDefault: true"), datasource);
        String provider = Files.readString(GRAFANA.resolve("provisioning/dashboards/release-watchdog.yml"));
        assertTrue(provider.contains("type: file") && provider.contains("path:"), provider);
    }

    @Test
    @DisplayName("each variable lists what the test made: services, environment, rules, the watchdog's instance")
    void variablesList() {
        Map<String, Set<String>> expected = Map.of("service", Set.of("checkout", "search"),
                "environment", Set.of("production"), "rule", Set.of("error-rate", "traffic"),
                "instance", Set.of(daemon.url().replace("http://", "")));
        for (String file : DASHBOARDS) {
            for (GrafanaDashboard.Variable v : GrafanaDashboard.read(GRAFANA.resolve("dashboards").resolve(file)).variables()) {
                assertEquals(".*", v.allValue(), file + ": $" + v.name() + " All sends .*");
                String selector = GrafanaDashboard.interpolate(v.selector(), Map.of("service", ".*", "environment", ".*"));
                JsonObject answer = new JsonObject(prometheus.get("/api/v1/label/" + v.label() + "/values?match[]="
                        + encode(selector) + "&start=" + dataFrom.getEpochSecond()));
                assertEquals("success", answer.getString("status"), answer.encode());
                Set<String> listed = answer.getJsonArray("data").stream().map(String::valueOf).collect(Collectors.toSet());
                assertTrue(listed.containsAll(expected.get(v.name())), file + ": $" + v.name() + " lists " + listed);
            }
        }
    }

    @Test
    @DisplayName("the watchdog's own alerting rules evaluate on its real metrics; the failed rollback fires, nothing else does")
    void selfAlerts() {
        Poll.until(Duration.ofSeconds(30), "every self-alert rule evaluated", () -> rules().stream()
                .allMatch(r -> "ok".equals(r.getString("health"))));
        for (JsonObject rule : rules()) {
            assertFalse(rule.containsKey("lastError") && !rule.getString("lastError").isEmpty(), rule.encode());
        }
        Poll.until(Duration.ofSeconds(30), "WatchdogRollbackFailed to fire", () -> firing().contains("WatchdogRollbackFailed"));
        assertEquals(Set.of("WatchdogRollbackFailed"), firing());
    }

    private static List<JsonObject> rules() {
        JsonArray groups = new JsonObject(prometheus.get("/api/v1/rules")).getJsonObject("data").getJsonArray("groups");
        assertEquals(14, groups.getJsonObject(0).getJsonArray("rules").size());
        return groups.getJsonObject(0).getJsonArray("rules").stream().map(JsonObject.class::cast).toList();
    }

    private static Set<String> firing() {
        return new JsonObject(prometheus.get("/api/v1/alerts")).getJsonObject("data").getJsonArray("alerts").stream()
                .map(JsonObject.class::cast).filter(a -> "firing".equals(a.getString("state")))
                .map(a -> a.getJsonObject("labels").getString("alertname")).collect(Collectors.toSet());
    }

    private static DemoService demo() {
        return new DemoService(stack.vertx, body -> { }).start("127.0.0.1", 0).await();
    }

    private static void awaitState(String id, String state) {
        Poll.until(Duration.ofSeconds(60), id + " to read " + state, () -> state.equals(daemon.release(id).getString("state")));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
