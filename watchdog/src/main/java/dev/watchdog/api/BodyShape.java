package dev.watchdog.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.core.Durations;
import dev.watchdog.release.FieldText;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The JSON types a body's record allows, field by field: a {@code String} is a JSON string, a
 * {@code Duration} a string in Prometheus notation, a {@code Map} an object of strings. A number
 * is never taken for a string nor a string for a number; {@code null} stands for "not given".
 */
final class BodyShape {

    private static final Pattern DURATION = Pattern.compile("0|([0-9]+(ms|[smhdwy]))+");

    private BodyShape() {}

    /** The body, if every field is one of the record's and of its type; else a 400 naming the field. */
    static ObjectNode check(ObjectNode body, Class<? extends Record> type) {
        Map<String, Class<?>> fields = Arrays.stream(type.getRecordComponents())
                .collect(Collectors.toMap(RecordComponent::getName, RecordComponent::getType));
        body.fieldNames().forEachRemaining(name -> {
            Class<?> expected = fields.get(name);
            if (expected == null) {
                String field = FieldText.excerpt(name);
                throw ApiException.badInput(field, "unknown field '" + field + "'");
            }
            if (!body.get(name).isNull()) {
                expect(name, expected, body.get(name));
            }
        });
        return body;
    }

    private static void expect(String field, Class<?> type, JsonNode value) {
        if (type == Map.class) {
            if (!value.isObject()) {
                throw wrongType(field, "an object of names to strings", value);
            }
            value.fieldNames().forEachRemaining(name -> text(field + "." + FieldText.excerpt(name), value.get(name)));
        } else if (type == Duration.class) {
            duration(field, text(field, value));
        } else if (type == String.class) {
            text(field, value);
        } else {
            throw new IllegalStateException("no JSON shape for a field of type " + type.getSimpleName());
        }
    }

    private static String text(String field, JsonNode value) {
        if (!value.isTextual()) {
            throw wrongType(field, "a string", value);
        }
        return value.textValue();
    }

    private static void duration(String field, String text) {
        try {
            if (DURATION.matcher(text).matches()) {
                Durations.parse(text);
                return;
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw ApiException.badInput(field, field + " is too long to be a duration");
        } catch (IllegalArgumentException e) {
            // units out of order (30m1h): said below
        }
        throw ApiException.badInput(field, field + " must be a duration in Prometheus notation such as 30m, 1h30m or 24h, not '"
                + FieldText.excerpt(text) + "'");
    }

    private static ApiException wrongType(String field, String expected, JsonNode value) {
        return ApiException.badInput(field, field + " must be " + expected + ", not " + kind(value));
    }

    /** What a JSON value is, in words. */
    static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case OBJECT -> "an object";
            case ARRAY -> "a list";
            case NULL -> "null";
            default -> "something else";
        };
    }
}
