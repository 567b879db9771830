package dev.watchdog;

import dev.watchdog.GrafanaDashboard.Query;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A picture of a dashboard for the docs, drawn from its JSON the way Grafana lays it out (24
 * columns, 30 px a row unit) and filled with the answers its queries got in the test: stats show
 * their values, time series their lines, tables their rows. A sketch, not Grafana: no axes, units
 * only where they matter for reading.
 */
final class DashboardSketch {

    private static final int WIDTH = 1600;
    private static final int ROW = 30;
    private static final String[] COLORS = {"#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9",
        "#705da0", "#37872d", "#fade2a"};

    /** Grafana's named colours, as its dark theme draws them. */
    private static final Map<String, String> HEX = Map.of("green", "#73bf69", "red", "#f2495c", "orange", "#ff9830",
            "yellow", "#fade2a", "blue", "#5794f2", "purple", "#b877d9", "text", "#ccccdc");

    private DashboardSketch() {}

    /** The height in pixels the page needs (what a screenshot's window should be). */
    static int height(GrafanaDashboard dashboard) {
        int bottom = 0;
        for (JsonObject panel : dashboard.panels()) {
            JsonObject grid = panel.getJsonObject("gridPos");
            bottom = Math.max(bottom, grid.getInteger("y") + grid.getInteger("h"));
        }
        return bottom * ROW + 80;
    }

    /** An HTML page of the dashboard; {@code answers} holds each query's data by {@link Query#toString()}. */
    static String html(GrafanaDashboard dashboard, Map<String, JsonObject> answers) {
        StringBuilder page = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><style>"
                + "body{margin:0;background:#111217;color:#ccccdc;font:13px Inter,Helvetica,Arial,sans-serif}"
                + "h1{font-size:18px;margin:12px 16px}.p{position:absolute;background:#181b1f;border:1px solid #2a2d33;"
                + "border-radius:3px;overflow:hidden;box-sizing:border-box;padding:6px 8px}.t{font-weight:600;margin-bottom:4px}"
                + ".r{position:absolute;font-size:15px;font-weight:600;color:#fff}.v{font-size:26px;font-weight:600;color:#73bf69}"
                + ".s{display:inline-block;margin:0 14px 4px 0}.n{font-size:11px;color:#9fa3ab}.none{color:#6e7079;margin-top:8px}"
                + "table{border-collapse:collapse;font-size:11px;width:100%}td,th{border-bottom:1px solid #2a2d33;padding:2px 4px;"
                + "text-align:left}.l{font-size:10px;color:#9fa3ab}</style></head><body><h1>")
                .append(escape(dashboard.title())).append("</h1><div style='position:relative'>");
        int bottom = 0;
        for (JsonObject panel : dashboard.panels()) {
            JsonObject grid = panel.getJsonObject("gridPos");
            int x = grid.getInteger("x") * WIDTH / 24 + 4;
            int y = grid.getInteger("y") * ROW + 4;
            if ("row".equals(panel.getString("type"))) {
                page.append("<div class='r' style='left:").append(x).append("px;top:").append(y + 4).append("px'>")
                        .append(escape(panel.getString("title"))).append("</div>");
                continue;
            }
            int w = grid.getInteger("w") * WIDTH / 24;
            int h = grid.getInteger("h") * ROW;
            List<Series> series = series(dashboard, panel, answers);
            String repeat = panel.getString("repeat");
            // A repeated panel is drawn once per value of its variable, side by side, as Grafana does.
            List<String> copies = repeat == null ? List.of("") : series.stream()
                    .map(s -> s.labels().getString(repeat, "")).distinct().sorted().toList();
            for (int i = 0; i < copies.size(); i++) {
                String value = copies.get(i);
                List<Series> own = repeat == null ? series
                        : series.stream().filter(s -> value.equals(s.labels().getString(repeat, ""))).toList();
                String title = repeat == null ? panel.getString("title") : panel.getString("title").replace("$" + repeat, value);
                int left = x + (i % 2) * w;
                int top = y + (i / 2) * h;
                bottom = Math.max(bottom, top + h + 16);
                page.append("<div class='p' style='left:").append(left).append("px;top:").append(top).append("px;width:")
                        .append(w - 8).append("px;height:").append(h - 8).append("px'><div class='t'>")
                        .append(escape(title)).append("</div>").append(body(panel, own, w - 24, h - 48)).append("</div>");
            }
        }
        return page.append("</div><div style='height:").append(bottom).append("px'></div></body></html>").toString();
    }

    private static List<Series> series(GrafanaDashboard d, JsonObject panel, Map<String, JsonObject> answers) {
        List<Series> series = new ArrayList<>();
        for (Query q : d.queries()) {
            if (q.panelId() == panel.getInteger("id") && answers.containsKey(q.toString())) {
                String legend = legendOf(panel, q.refId());
                for (Object r : answers.get(q.toString()).getJsonArray("result")) {
                    series.add(Series.of(q.refId(), legend, (JsonObject) r));
                }
            }
        }
        return series;
    }

    private static String body(JsonObject panel, List<Series> series, int w, int h) {
        if (series.isEmpty()) {
            return "<div class='none'>No data</div>";
        }
        String unit = panel.getJsonObject("fieldConfig").getJsonObject("defaults").getString("unit", "");
        return switch (panel.getString("type")) {
            case "stat" -> stats(panel, series, unit);
            case "table" -> table(panel, series);
            default -> lines(series, w, h);
        };
    }

    /** Each value in the colour Grafana gives it (thresholds, value mappings). */
    private static String stats(JsonObject panel, List<Series> series, String unit) {
        StringBuilder out = new StringBuilder();
        for (Series s : series) {
            String colour = GrafanaDashboard.colour(panel, s.name(), s.last());
            out.append("<span class='s'><div class='v' style='color:").append(HEX.getOrDefault(colour, "#73bf69"))
                    .append("'>").append(format(s.last(), unit)).append("</div><div class='n'>")
                    .append(escape(s.name())).append("</div></span>");
        }
        return out.toString();
    }

    /** Grafana's merge (rows of the queries joined on their common labels), then its organize (hide, rename). */
    private static String table(JsonObject panel, List<Series> series) {
        Set<String> common = new TreeSet<>(series.get(0).labels().fieldNames());
        series.forEach(s -> common.retainAll(s.labels().fieldNames()));
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        Set<String> columns = new LinkedHashSet<>();
        boolean several = series.stream().map(Series::refId).distinct().count() > 1;
        for (Series s : series) {
            String key = common.stream().map(c -> s.labels().getString(c)).toList().toString();
            Map<String, String> row = rows.computeIfAbsent(key, k -> new LinkedHashMap<>());
            s.labels().fieldNames().forEach(c -> row.put(c, s.labels().getString(c)));
            row.put(several ? "Value #" + s.refId() : "Value", format(s.last(), ""));
            columns.addAll(row.keySet());
        }
        JsonObject organize = panel.getJsonArray("transformations").stream().map(JsonObject.class::cast)
                .filter(t -> "organize".equals(t.getString("id"))).findFirst().orElseThrow().getJsonObject("options");
        List<String> shown = columns.stream().filter(c -> !organize.getJsonObject("excludeByName").getBoolean(c, false))
                .filter(c -> !List.of("__name__", "job", "instance").contains(c))
                .sorted(Comparator.comparing(c -> organize.getJsonObject("indexByName").getInteger(c, 99))).toList();
        StringBuilder out = new StringBuilder("<table><tr>");
        shown.forEach(c -> out.append("<th>").append(escape(organize.getJsonObject("renameByName").getString(c, c))).append("</th>"));
        out.append("</tr>");
        rows.values().stream().limit(8).forEach(row -> {
            out.append("<tr>");
            shown.forEach(c -> out.append("<td>").append(escape(row.getOrDefault(c, ""))).append("</td>"));
            out.append("</tr>");
        });
        return out.append("</table>").toString();
    }

    private static String lines(List<Series> series, int w, int h) {
        int plot = Math.max(h - 16 * Math.min(series.size(), 4), 40);
        double min = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).filter(Double::isFinite).min().orElse(0);
        double max = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).filter(Double::isFinite).max().orElse(1);
        double t0 = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).min().orElse(0);
        double t1 = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).max().orElse(1);
        StringBuilder svg = new StringBuilder("<svg width='" + w + "' height='" + plot + "'>");
        StringBuilder legend = new StringBuilder();
        for (int i = 0; i < series.size(); i++) {
            String color = COLORS[i % COLORS.length];
            svg.append("<polyline fill='none' stroke-width='1.5' stroke='").append(color).append("' points='");
            for (double[] p : series.get(i).points()) {
                if (Double.isFinite(p[1])) {
                    double px = (p[0] - t0) / Math.max(t1 - t0, 1) * (w - 4) + 2;
                    double py = plot - 3 - (p[1] - min) / Math.max(max - min, 1e-9) * (plot - 6);
                    svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                }
            }
            svg.append("'/>");
            if (i < 12) {
                legend.append("<span class='s l'><span style='color:").append(color).append("'>&#9632;</span> ")
                        .append(escape(series.get(i).name())).append("</span>");
            }
        }
        return svg.append("</svg><div>").append(legend).append("</div>").toString();
    }

    private static String legendOf(JsonObject panel, String refId) {
        for (Object t : panel.getJsonArray("targets", new JsonArray())) {
            JsonObject target = (JsonObject) t;
            if (refId.equals(target.getString("refId"))) {
                return target.getString("legendFormat", "");
            }
        }
        return "";
    }

    private static String format(double v, String unit) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return switch (unit) {
            case "percentunit" -> String.format(Locale.ROOT, "%.2f %%", v * 100);
            case "s" -> String.format(Locale.ROOT, "%.3g s", v);
            case "bytes" -> String.format(Locale.ROOT, "%.1f MiB", v / 1048576);
            default -> v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3g", v);
        };
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }

    /** One series of an answer: its labels, its legend, its points (instant answers have one). */
    private record Series(String refId, String name, JsonObject labels, List<double[]> points) {

        static Series of(String refId, String legend, JsonObject result) {
            JsonObject labels = result.getJsonObject("metric");
            List<double[]> points = new ArrayList<>();
            JsonArray values = result.containsKey("values") ? result.getJsonArray("values")
                    : new JsonArray().add(result.getJsonArray("value"));
            for (Object v : values) {
                JsonArray pair = (JsonArray) v;
                points.add(new double[] {pair.getDouble(0), number(pair.getString(1))});
            }
            return new Series(refId, name(legend, labels), labels, points);
        }

        double last() {
            return points.get(points.size() - 1)[1];
        }

        private static double number(String s) {
            return switch (s) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s);
            };
        }

        private static String name(String legend, JsonObject labels) {
            if (legend.isEmpty() || legend.equals("__auto")) {
                return labels.isEmpty() ? "value" : labels.encode();
            }
            String name = legend;
            for (String key : labels.fieldNames()) {
                name = name.replace("{{" + key + "}}", labels.getString(key));
            }
            return name.replaceAll("\\{\\{\\w+}}", "");
        }
    }
}
