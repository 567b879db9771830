package dev.watchdog.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A YAML document as a tree whose every node knows its line, so that errors can name it. */
sealed interface YamlNode {

    int line();

    /** A mapping; keys keep their own lines. */
    record Mapping(Map<String, YamlNode> entries, Map<String, Integer> keyLines, int line) implements YamlNode {

        /** The line of a key this mapping has. */
        int keyLine(String key) {
            return Objects.requireNonNull(keyLines.get(key), () -> "the mapping has no key " + key);
        }
    }

    /** A sequence. */
    record Sequence(List<YamlNode> items, int line) implements YamlNode {}

    /** A scalar; {@code text} is null for YAML null. */
    record Scalar(@Nullable String text, int line) implements YamlNode {}

    /** A key given twice in one mapping: where, and where it was first given. */
    record Duplicate(String key, int line, int firstLine) {}

    /** Parses one document. Keys given twice are reported through {@code duplicates}; the first keeps its line. */
    static YamlNode parse(String yaml, List<Duplicate> duplicates) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken first = p.nextToken();
            return first == null ? new Scalar(null, 1) : read(p, duplicates);
        }
    }

    private static YamlNode read(JsonParser p, List<Duplicate> duplicates) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, YamlNode> entries = new LinkedHashMap<>();
            Map<String, Integer> keyLines = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int keyLine = p.currentTokenLocation().getLineNr();
                p.nextToken();
                if (entries.put(key, read(p, duplicates)) != null) {
                    int firstLine = Objects.requireNonNull(keyLines.get(key), "a key given before has its line");
                    duplicates.add(new Duplicate(key, keyLine, firstLine));
                }
                keyLines.putIfAbsent(key, keyLine);
            }
            return new Mapping(entries, keyLines, line);
        }
        if (token == JsonToken.START_ARRAY) {
            List<YamlNode> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(p, duplicates));
            }
            return new Sequence(items, line);
        }
        return new Scalar(token == JsonToken.VALUE_NULL ? null : p.getText(), line);
    }
}
