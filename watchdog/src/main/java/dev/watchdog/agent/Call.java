package dev.watchdog.agent;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A rollback call as the watchdog sends it: what the agent needs of its body, and the key it came with. */
record Call(String key, String releaseId, String service, String version, @Nullable String previousVersion,
            String environment, Map<String, String> labels, @Nullable String rule, @Nullable String severity,
            @Nullable String triggeredBy) {

    Call {
        labels = Map.copyOf(labels);
    }

    /** Reads a body, or throws 400 naming the field that is missing, or 422 if it is not a rollback. */
    static Call parse(String key, String body) {
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw AgentException.badInput(null, "the body is not a JSON object");
        }
        if (!"rollback".equals(json.getValue("type"))) {
            throw AgentException.cannotAct("type", "only calls of type 'rollback' are acted on");
        }
        JsonObject release = object(json, "release");
        JsonObject reason = json.getValue("reason") instanceof JsonObject r ? r : new JsonObject();
        return new Call(key, required(release, "release.", "id"), required(release, "release.", "service"),
                required(release, "release.", "version"), text(release, "release.", "previousVersion"),
                required(release, "release.", "environment"), labels(release),
                text(reason, "reason.", "rule"), text(reason, "reason.", "severity"),
                json.getValue("triggeredBy") instanceof String who ? who : null);
    }

    /** The values placeholders are filled from; absent ones are left out. */
    Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        put(values, "release_id", releaseId);
        put(values, "service", service);
        put(values, "version", version);
        put(values, "previous_version", previousVersion);
        put(values, "environment", environment);
        // A rollback the team decided has no rule: "none", as the watchdog itself says.
        values.put("rule", rule == null ? "none" : rule);
        values.put("severity", severity == null ? "none" : severity);
        put(values, "triggered_by", triggeredBy);
        labels.forEach((k, v) -> values.put(Placeholders.LABEL + k, v));
        return values;
    }

    private static void put(Map<String, String> values, String name, @Nullable String value) {
        if (value != null) {
            values.put(name, value);
        }
    }

    private static JsonObject object(JsonObject json, String field) {
        if (!(json.getValue(field) instanceof JsonObject object)) {
            throw AgentException.badInput(field, field + " must be an object");
        }
        return object;
    }

    private static String required(JsonObject json, String prefix, String field) {
        String text = text(json, prefix, field);
        if (text == null) {
            throw notText(prefix + field);
        }
        return text;
    }

    /** The field's text, or null when it is absent. */
    private static @Nullable String text(JsonObject json, String prefix, String field) {
        Object value = json.getValue(field);
        if (value instanceof String s && !s.isEmpty()) {
            return s;
        }
        if (value != null) {
            throw notText(prefix + field);
        }
        return null;
    }

    private static AgentException notText(String field) {
        return AgentException.badInput(field, field + " must be a non-empty string");
    }

    private static Map<String, String> labels(JsonObject release) {
        Object value = release.getValue("labels");
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject labels)) {
            throw AgentException.badInput("release.labels", "release.labels must be an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : labels.fieldNames()) {
            out.put(name, required(labels, "release.labels.", name));
        }
        return out;
    }
}
