package dev.watchdog.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A corpus of bad request bodies, generated: each kind of bad value in each field it can reach,
 * the bodies that are not one JSON object, and the wrong content types. Each case says which
 * status and which {@code field} the answer must carry (null: the body as a whole).
 */
final class BadBodies {

    static final String JSON = "application/json";
    /** Stands inside a JSON string where raw bytes that are not UTF-8 go. */
    private static final String RAW = "@RAW@";

    /** One request body and the answer it must get. */
    record Case(String name, String contentType, byte[] body, int status, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final List<Case> cases = new ArrayList<>();
    private final Map<String, String> base;

    private BadBodies(Map<String, String> base) {
        this.base = base;
    }

    /** A good registration, field by field as raw JSON; every case changes one thing in it. */
    static Map<String, String> registration() {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("service", "\"api\"");
        body.put("version", "\"1.4.0\"");
        body.put("previousVersion", "\"1.3.2\"");
        body.put("environment", "\"production\"");
        body.put("labels", "{\"cluster\": \"eu-1\"}");
        body.put("window", "\"2h\"");
        body.put("bake", "\"30m\"");
        body.put("policy", "\"default\"");
        body.put("rollback", "\"default\"");
        return body;
    }

    static List<Case> registrations() {
        BadBodies all = new BadBodies(registration());
        for (String field : List.of("service", "version", "environment", "previousVersion", "labels.cluster", "policy", "rollback")) {
            all.text(field, field.equals("labels.cluster") ? 256 : 128, !List.of("previousVersion", "policy", "rollback").contains(field));
        }
        all.durations();
        all.labels();
        all.wholeBody();
        all.contentTypes();
        return all.cases;
    }

    static List<Case> decisions() {
        BadBodies all = new BadBodies(new LinkedHashMap<>(Map.of("reason", "\"looking into it\"")));
        all.types("reason");
        all.values("reason", List.of("", "  ", "\n", "\t\n"), "blank");
        all.values("reason", List.of("\u0000", "a\u0007b", "\u001b[31m", "a\rb", "\u007f", "\u0085", "\u009b"), "control character");
        all.values("reason", List.of("\u202e", "\u2066x", "\u200b", "\ufeff", "\u00ad", "\u2028", "\u2029"), "invisible character");
        all.escaped("reason", List.of("\\ud800", "a\\udfffb", "\\u202e"), "escaped surrogate or bidi control");
        all.values("reason", List.of("x".repeat(2001)), "over 2000 characters");
        all.invalidUtf8("reason");
        all.twice("reason");
        all.wholeBody();
        all.contentTypes();
        all.add("unknown field", JSON, all.body("why", "\"because\""), 400, "why");
        return all.cases;
    }

    private void text(String field, int max, boolean required) {
        types(field);
        if (required) {
            add(field + " is null", JSON, body(field, "null"), 400, field);
        }
        values(field, List.of("", " ", "   ", "\u00a0", "\u3000", "\u2003"), "blank");
        values(field, List.of(" api", "api ", "\u00a0api", "api\u3000", "api\u2003"), "surrounded by whitespace");
        values(field, List.of("a\u0000b", "a\u0001b", "a\u0007b", "a\u001bb", "a\u007fb", "a\u0085b", "a\u009bb",
                "a\nb", "a\rb", "a\tb"), "control character");
        values(field, List.of("a\u202ab", "a\u202bb", "a\u202cb", "a\u202db", "api\u202e", "a\u2066b", "a\u2067b",
                "a\u2068b", "a\u2069b", "a\u200eb", "a\u200fb", "a\u061cb"), "bidi control");
        values(field, List.of("a\u200bb", "a\u200cb", "a\u200db", "a\u2060b", "\ufeffapi", "a\u00adb"), "zero-width or format character");
        values(field, List.of("a\u2028b", "a\u2029b"), "line or paragraph separator");
        values(field, List.of("a\ufffdb"), "replacement character");
        escaped(field, List.of("\\ud800", "a\\udfffb", "api\\ud83d", "a\\u202eb", "a\\u0000b"), "escaped surrogate or control");
        values(field, List.of("a".repeat(max + 1), "é".repeat(max + 1)), "too long");
        values(field, List.of("a\"b", "a\\b", "a'b", "a`b", "eu\"} or vector(1) or {x=\"", "tok_" + "0123456789abcdef".repeat(3) + "\""),
                "not safe in PromQL");
        invalidUtf8(field);
        twice(field);
    }

    private void types(String field) {
        for (String value : List.of("123", "-1", "1.5", "1e3", "true", "false", "{}", "{\"a\": \"b\"}", "[]", "[\"api\"]")) {
            add(field + " as " + value, JSON, body(field, value), 400, field);
        }
    }

    private void durations() {
        for (String field : List.of("window", "bake")) {
            types(field);
            values(field, List.of("", " 1h", "1h ", "forever", "1 h", "1H", "-1h", "1.5h", "1h30", "h", "30m1h", "1hour",
                    "PT1H", "\u202e1h", "1h\u200b"), "not a duration");
            values(field, List.of("0", "0s", "99999d", "99999999999999999999y", "9223372036854775807ms"), "zero or far too long");
            twice(field);
        }
        values("window", List.of("31d", "5y", "721h", "5w"), "longer than 30d");
        values("bake", List.of("3h", "2h1ms"), "longer than the window");
    }

    private void labels() {
        for (String value : List.of("\"cluster=eu-1\"", "1", "true", "[]", "[\"eu-1\"]")) {
            add("labels as " + value, JSON, body("labels", value), 400, "labels");
        }
        add("a label value null", JSON, body("labels", "{\"cluster\": null}"), 400, "labels.cluster");
        Map<String, String> names = new LinkedHashMap<>();
        for (String name : List.of("1cluster", "clus-ter", "clus.ter", "a b", "ключ", "__name__", "__meta_x", "service",
                "version", "environment", "previous_version", "window")) {
            names.put(name, "labels." + name);
        }
        names.put("", "labels");
        names.put("x".repeat(129), "labels." + "x".repeat(40) + "…");
        names.put("a\u202eb", "labels.a\\u202Eb");
        names.forEach((name, field) -> add("label name '" + name + "'", JSON,
                body("labels", "{" + quote(name) + ": \"v\"}"), 400, field));
        String many = IntStream.range(0, 33).mapToObj(i -> "\"l" + i + "\": \"v\"").collect(Collectors.joining(", ", "{", "}"));
        add("33 labels", JSON, body("labels", many), 400, "labels");
    }

    private void wholeBody() {
        String good = render(base);
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("not JSON", "{not json");
        bodies.put("a trailing comma", good.substring(0, good.length() - 1) + ",}");
        bodies.put("data after the JSON", good + " x");
        bodies.put("a second object after the JSON", good + "{}");
        bodies.put("a stray bracket after the JSON", good + "]");
        bodies.put("a list", "[" + good + "]");
        bodies.put("a string", "\"api\"");
        bodies.put("a number", "123");
        bodies.put("null", "null");
        bodies.put("only whitespace", "   \n");
        bodies.put("single quotes", good.replace('"', '\''));
        bodies.put("a comment", "/* c */ " + good);
        bodies.put("a byte order mark", "\ufeff" + good);
        bodies.put("deep nesting", "[".repeat(200) + "]".repeat(200));
        bodies.forEach((name, text) -> add(name, JSON, text.getBytes(StandardCharsets.UTF_8), 400, null));
        add("bytes that are not UTF-8 between fields", JSON, withRaw("{" + RAW + good.substring(1), new byte[] {(byte) 0xFF}), 400, null);
        add("an unknown field", JSON, body("colour", "\"red\""), 400, "colour");
        add("an unknown field differing in case", JSON, body(upper(base.keySet().iterator().next()), "\"x\""), 400,
                upper(base.keySet().iterator().next()));
        add("an unknown field with a bidi override", JSON, body("\u202eid", "\"x\""), 400, "\\u202Eid");
    }

    private void contentTypes() {
        String good = render(base);
        List<String> types = new ArrayList<>(List.of("text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/json; charset=utf-16",
                "application/jsonx", "application/json-patch+json", "text/json", "application/json; foo=bar",
                "application/xml", "application/json;"));
        types.add(null);
        for (String type : types) {
            add("Content-Type " + type, type, good.getBytes(StandardCharsets.UTF_8), 415, "Content-Type");
        }
    }

    private void values(String field, List<String> values, String kind) {
        values.forEach(v -> add(field + " " + kind + " " + visible(v), JSON, body(field, quote(v)), 400, field));
    }

    /** Values written with JSON escapes: the decoded text is what must be refused. */
    private void escaped(String field, List<String> values, String kind) {
        values.forEach(v -> add(field + " " + kind + " " + v, JSON, body(field, "\"" + v + "\""), 400, field));
    }

    private void invalidUtf8(String field) {
        List<byte[]> bad = List.of(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC0, (byte) 0x80},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82},
                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0x80},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
        for (byte[] bytes : bad) {
            add(field + " with bytes that are not UTF-8 " + hex(bytes), JSON, withRaw(text(body(field, "\"a" + RAW + "b\"")), bytes),
                    400, field);
        }
    }

    private void twice(String field) {
        String text = text(body(field, "\"first\""));
        String key = field.contains(".") ? field.substring(field.indexOf('.') + 1) : field;
        String doubled = text.replaceFirst(quote(key) + ": \"first\"", quote(key) + ": \"first\", " + quote(key) + ": \"second\"");
        add(field + " given twice", JSON, doubled.getBytes(StandardCharsets.UTF_8), 400, field);
    }

    /** The base body with one field (or one label, {@code labels.NAME}) set to this raw JSON. */
    private byte[] body(String field, String rawJson) {
        Map<String, String> body = new LinkedHashMap<>(base);
        if (field.startsWith("labels.")) {
            body.put("labels", "{" + quote(field.substring(7)) + ": " + rawJson + "}");
        } else {
            body.put(field, rawJson);
        }
        return render(body).getBytes(StandardCharsets.UTF_8);
    }

    private void add(String name, String contentType, byte[] body, int status, String field) {
        cases.add(new Case(name, contentType, body, status, field));
    }

    private static String render(Map<String, String> body) {
        return body.entrySet().stream().map(e -> quote(e.getKey()) + ": " + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
    }

    /** A JSON string: quotes and backslashes escaped, every other character sent as it is. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
                .replace("\t", "\\t").replace("\u0000", "\\u0000").replace("\u0001", "\\u0001").replace("\u0007", "\\u0007")
                .replace("\u001b", "\\u001b") + "\"";
    }

    private static byte[] withRaw(String text, byte[] raw) {
        int at = text.indexOf(RAW);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text.substring(0, at).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(raw);
        out.writeBytes(text.substring(at + RAW.length()).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String text(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static String upper(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02X", b & 0xFF));
        }
        return out.toString();
    }

    private static String visible(String value) {
        String shown = value.codePoints().limit(12).mapToObj(c -> c < 0x20 || c > 0x7E ? String.format("U+%04X", c)
                : Character.toString(c)).collect(Collectors.joining());
        return value.length() > 12 ? shown + "… (" + value.length() + ")" : shown;
    }
}
