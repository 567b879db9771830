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

    List<Variable> variables() {
        List<Variable> variables = new ArrayList<>();
        for (Object v : json.getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
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
