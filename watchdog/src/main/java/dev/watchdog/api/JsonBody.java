package dev.watchdog.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.core.Json;
import dev.watchdog.release.FieldText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * A request body read strictly: JSON by its Content-Type, valid UTF-8 byte for byte, one object
 * with no key given twice and nothing after it, each field of its record's exact JSON type
 * ({@link BodyShape}). Anything else is refused with 400 (415 for the content type) naming the
 * field; nothing is coerced, replaced or guessed.
 */
final class JsonBody {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build()).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonBody() {}

    /**
     * The body as a {@code type}, or null when there is none (no bytes at all). A request with a
     * Content-Type must say JSON even when its body looks empty: a form's body is consumed by the
     * body handler before it gets here.
     */
    static <T extends Record> @Nullable T read(@Nullable String contentType, byte[] bytes, Class<T> type) {
        if (contentType == null && bytes.length == 0) {
            return null;
        }
        if (!isJson(contentType)) {
            throw new ApiException(415, "send the body as Content-Type: application/json"
                    + (contentType == null ? " (none was given)" : ", not '" + FieldText.excerpt(contentType) + "'"),
                    "Content-Type");
        }
        if (bytes.length == 0) {
            return null;
        }
        ObjectNode body = BodyShape.check(tree(utf8(bytes)), type);
        try {
            return Json.MAPPER.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a body that passed its shape did not convert", e);
        }
    }

    /** {@code application/json}, optionally with {@code charset=utf-8}: the only JSON RFC 8259 allows. */
    static boolean isJson(@Nullable String header) {
        if (header == null) {
            return false;
        }
        String[] parts = header.split(";", -1);
        boolean json = parts[0].strip().equalsIgnoreCase("application/json");
        for (int i = 1; i < parts.length && json; i++) {
            String[] param = parts[i].split("=", 2);
            json = param.length == 2 && param[0].strip().equalsIgnoreCase("charset")
                    && param[1].strip().replace("\"", "").equalsIgnoreCase("utf-8");
        }
        return json;
    }

    /** Decodes without replacement: a byte that is not UTF-8 is refused, never turned into U+FFFD. */
    private static String utf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        if (decoder.decode(in, out, true).isError() || decoder.flush(out).isError()) {
            String field = new Reader(new String(bytes, 0, in.position(), StandardCharsets.UTF_8)).fieldAtEnd();
            String where = " (byte " + (in.position() + 1) + " of the body)";
            throw ApiException.badInput(field, (field == null ? "the body" : field) + " is not valid UTF-8" + where);
        }
        String text = out.flip().toString();
        if (text.startsWith("\uFEFF")) {
            throw ApiException.badInput(null, "the body starts with a byte order mark; send UTF-8 without one");
        }
        return text;
    }

    private static ObjectNode tree(String text) {
        JsonNode root = new Reader(text).whole();
        if (!root.isObject()) {
            throw ApiException.badInput(null, "the body must be a JSON object, not " + BodyShape.kind(root));
        }
        return (ObjectNode) root;
    }

    /** Reads one JSON value into a tree, refusing a key given twice, and knows where in it it is. */
    private static final class Reader {
        private final String text;
        private final Deque<String> path = new ArrayDeque<>();

        Reader(String text) {
            this.text = text;
        }

        /** The one value of the text; anything after it is refused. */
        JsonNode whole() {
            try (JsonParser p = FACTORY.createParser(text)) {
                if (p.nextToken() == null) {
                    throw ApiException.badInput(null, "the body holds no JSON value");
                }
                JsonNode value = value(p);
                if (!trailingIsEmpty(p)) {
                    throw ApiException.badInput(null, "there is more after the JSON object: send exactly one");
                }
                return value;
            } catch (JsonProcessingException e) {
                String at = e.getLocation() == null ? ""
                        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
                throw ApiException.badInput(field(), "the body is not valid JSON" + at);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Where reading stops when the text ends early: the field being read, or null outside any. */
        @Nullable String fieldAtEnd() {
            try (JsonParser p = FACTORY.createParser(text)) {
                if (p.nextToken() != null) {
                    value(p);
                }
            } catch (IOException | ApiException e) {
                // expected: the text is a prefix
            }
            return field();
        }

        private JsonNode value(JsonParser p) throws IOException {
            return switch (p.currentToken()) {
                case START_OBJECT -> object(p);
                case START_ARRAY -> array(p);
                case VALUE_STRING -> NODES.textNode(p.getText());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
                case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(p.getBooleanValue());
                default -> NODES.nullNode();
            };
        }

        private JsonNode object(JsonParser p) throws IOException {
            ObjectNode node = NODES.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                path.addLast(FieldText.excerpt(name));
                if (node.has(name)) {
                    throw ApiException.badInput(field(), field() + " is given twice");
                }
                p.nextToken();
                node.set(name, value(p));
                path.removeLast();
            }
            return node;
        }

        private JsonNode array(JsonParser p) throws IOException {
            var node = NODES.arrayNode();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                node.add(value(p));
            }
            return node;
        }

        private static boolean trailingIsEmpty(JsonParser p) {
            try {
                return p.nextToken() == null;
            } catch (IOException e) {
                return false;
            }
        }

        private @Nullable String field() {
            return path.isEmpty() ? null : String.join(".", path);
        }
    }
}
