package dev.watchdog;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Grafana dashboard JSON file as Grafana reads it: its panels (rows included), their Prometheus
 * queries and annotation queries, and its template variables; and a query's text after Grafana's
 * variable interpolation.
 */
record GrafanaDashboard(Path file, JsonObject json) {

    /** One Prometheus query of a panel (or of an annotation): what Grafana would send. */
    record Query(String dashboard, int panelId, String panel, String refId, String expr, boolean instant,
                 JsonObject datasource) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + " / " + refId;
        }
    }

    /** A template variable of the {@code label_values(METRIC_SELECTOR, LABEL)} kind. */
    record Variable(String name, String selector, String label, String allValue) {}

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
    private static final String REGEX_SPECIALS = "$^*{}[]'+?.()|";

    static GrafanaDashboard read(Path file) {
        try {
            return new GrafanaDashboard(file, new JsonObject(Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String title() {
        return json.getString("title");
    }

    /** Every panel, those inside rows too. */
    List<JsonObject> panels() {
        List<JsonObject> all = new ArrayList<>();
        for (Object p : json.getJsonArray("panels")) {
            JsonObject panel = (JsonObject) p;
            all.add(panel);
            for (Object inner : panel.getJsonArray("panels", new JsonArray())) {
                all.add((JsonObject) inner);
            }
        }
        return all;
    }

    /** Every Prometheus query of every panel and annotation. */
    List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (JsonObject panel : panels()) {
            for (Object t : panel.getJsonArray("targets", new JsonArray())) {
                JsonObject target = (JsonObject) t;
                JsonObject ds = target.getJsonObject("datasource", panel.getJsonObject("datasource"));
                queries.add(new Query(title(), panel.getInteger("id"), panel.getString("title"), target.getString("refId"),
                        target.getString("expr"),
                        target.getBoolean("instant", false) && !target.getBoolean("range", false), ds));
            }
        }
        for (Object a : json.getJsonObject("annotations").getJsonArray("list")) {
            JsonObject annotation = (JsonObject) a;
            if (annotation.containsKey("expr")) {
                queries.add(new Query(title(), -1, "annotation " + annotation.getString("name"), "-",
                        annotation.getString("expr"), false, annotation.getJsonObject("datasource")));
            }
        }
        return queries;
    }

    /** The variables of the query kind (the data source variable is not one). */
    List<Variable> variables() {
        List<Variable> variables = new ArrayList<>();
        for (Object v : json.getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
            if (!"query".equals(variable.getString("type"))) {
                continue;
            }
            Object query = variable.getValue("query");
            String text = query instanceof JsonObject q ? q.getString("query") : String.valueOf(query);
            Matcher m = LABEL_VALUES.matcher(text);
            if (!m.matches()) {
                throw new AssertionError(file + ": variable " + variable.getString("name") + " is not label_values(...): " + text);
            }
            variables.add(new Variable(variable.getString("name"), m.group(1), m.group(2), variable.getString("allValue")));
        }
        return variables;
    }

    /** A template variable by name, of any kind. */
    JsonObject variable(String name) {
        return json.getJsonObject("templating").getJsonArray("list").stream().map(JsonObject.class::cast)
                .filter(v -> name.equals(v.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(file + ": no variable " + name));
    }

    /** Every data source reference of the dashboard: of panels, targets, annotations and variables. */
    List<JsonObject> datasources() {
        List<JsonObject> all = new ArrayList<>();
        collectDatasources(json, all);
        return all;
    }

    private static void collectDatasources(Object value, List<JsonObject> all) {
        if (value instanceof JsonObject o) {
            for (String key : o.fieldNames()) {
                if (key.equals("datasource") && o.getValue(key) instanceof JsonObject ref) {
                    all.add(ref);
                } else {
                    collectDatasources(o.getValue(key), all);
                }
            }
        } else if (value instanceof JsonArray a) {
            a.forEach(v -> collectDatasources(v, all));
        }
    }

    /**
     * The dashboard as Grafana's "Import dashboard" stores it: {@code ${NAME}} of each of its
     * {@code __inputs} replaced in every text by what the person picked for it, {@code __inputs} dropped.
     */
    GrafanaDashboard imported(Map<String, String> picked) {
        JsonObject copy = (JsonObject) withInputs(json.copy(), picked);
        copy.remove("__inputs");
        return new GrafanaDashboard(file, copy);
    }

    private static Object withInputs(Object value, Map<String, String> picked) {
        if (value instanceof JsonObject o) {
            List.copyOf(o.fieldNames()).forEach(key -> o.put(key, withInputs(o.getValue(key), picked)));
        } else if (value instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, withInputs(a.getValue(i), picked));
            }
        } else if (value instanceof String text) {
            String replaced = text;
            for (Map.Entry<String, String> input : picked.entrySet()) {
                replaced = replaced.replace("${" + input.getKey() + "}", input.getValue());
            }
            return replaced;
        }
        return value;
    }

    /**
     * What Grafana applies to one series of a panel, by its display name (the legend, filled in): the
     * field defaults, then the properties of each override whose matcher takes that name, in order.
     * Grafana anchors a {@code byRegexp} pattern at both ends.
     */
    static JsonObject fieldConfig(JsonObject panel, String displayName) {
        JsonObject config = panel.getJsonObject("fieldConfig");
        JsonObject field = config.getJsonObject("defaults").copy();
        for (Object o : config.getJsonArray("overrides", new JsonArray())) {
            JsonObject override = (JsonObject) o;
            JsonObject matcher = override.getJsonObject("matcher");
            boolean takes = switch (matcher.getString("id")) {
                case "byName" -> displayName.equals(matcher.getString("options"));
                case "byRegexp" -> Pattern.compile(matcher.getString("options")).matcher(displayName).matches();
                default -> throw new AssertionError("a matcher this test does not know: " + matcher.encode());
            };
            if (takes) {
                override.getJsonArray("properties").stream().map(JsonObject.class::cast)
                        .forEach(p -> field.put(p.getString("id"), p.getValue("value")));
            }
        }
        return field;
    }

    /** A series' display name: a target's legendFormat with each {@code {{label}}} filled in. */
    static String legend(String format, Map<String, String> labels) {
        String name = format;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            name = name.replace("{{" + label.getKey() + "}}", label.getValue());
        }
        return name;
    }

    /** The unit Grafana shows a series' values in. */
    static String unit(JsonObject panel, String displayName) {
        return fieldConfig(panel, displayName).getString("unit", "");
    }

    /**
     * The colour Grafana gives a value of a series (a stat's number): a value mapping's colour if one
     * maps the value, else a fixed colour, else the colour of the highest threshold step at or below
     * the value (the first step, whose value is null, stands for minus infinity).
     */
    static String colour(JsonObject panel, String displayName, double value) {
        JsonObject field = fieldConfig(panel, displayName);
        String text = value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
        for (Object m : field.getJsonArray("mappings", new JsonArray())) {
            JsonObject mapping = (JsonObject) m;
            JsonObject to = "value".equals(mapping.getString("type"))
                    ? mapping.getJsonObject("options").getJsonObject(text) : null;
            if (to != null && to.containsKey("color")) {
                return to.getString("color");
            }
        }
        JsonObject color = field.getJsonObject("color", new JsonObject().put("mode", "thresholds"));
        if ("fixed".equals(color.getString("mode"))) {
            return color.getString("fixedColor");
        }
        String colour = null;
        for (Object s : field.getJsonObject("thresholds").getJsonArray("steps")) {
            JsonObject step = (JsonObject) s;
            Double from = step.getDouble("value");
            if (from == null || value >= from) {
                colour = step.getString("color");
            }
        }
        return colour;
    }

    /** The query as Grafana sends it: each $variable replaced; an unknown variable is an error. */
    static String interpolate(String expr, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = values.get(name);
            if (value == null) {
                throw new AssertionError("unknown variable $" + name + " in: " + expr);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    /**
     * One value of a multi-value variable inside {@code =~"..."}, as Grafana's Prometheus datasource
     * escapes it: regex specials get a backslash, written doubled inside the PromQL string.
     */
    static String regexEscaped(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\') {
                out.append("\\\\\\\\");
            } else {
                out.append(REGEX_SPECIALS.indexOf(c) >= 0 ? "\\\\" : "").append(c);
            }
        }
        return out.toString();
    }
}
