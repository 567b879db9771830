package dev.watchdog.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchdog.core.Durations;
import dev.watchdog.core.Json;
import dev.watchdog.core.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads {@code watchdog.yml}: resolves {@code ${env:NAME}} and {@code ${file:PATH}}, rejects unknown and duplicated keys. */
public final class ConfigLoader {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");
    /** Jackson's words for a key given twice under STRICT_DUPLICATE_DETECTION. */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

    private final ObjectMapper mapper;
    private final Function<String, String> env;

    public ConfigLoader() {
        this(System::getenv);
    }

    /** Optional: env, the environment lookup (tests pass a map). */
    public ConfigLoader(Function<String, String> env) {
        this.env = env;
        SimpleModule module = new SimpleModule("watchdog-config")
                .addDeserializer(String.class, new Resolving<>(String.class, s -> s))
                .addDeserializer(Secret.class, new Resolving<>(Secret.class, Secret::new))
                .addDeserializer(Duration.class, new Resolving<>(Duration.class, Durations::parse))
                .addSerializer(Duration.class, new Json.DurationWriter())
                .addSerializer(String.class, new UrlMasking());
        YAMLFactory yaml = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        this.mapper = new ObjectMapper(yaml)
                .registerModule(module)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    }

    /** Loads a config file, or throws {@link ConfigException} naming the file, key path and line. */
    public WatchdogConfig load(Path file) {
        return load(file, WatchdogConfig.class);
    }

    /** The directory a config file's relative paths (rule files, the journal) are taken from: the one it is in. */
    public static Path directory(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return Objects.requireNonNull(parent, () -> file + " is the root directory, not a file");
    }

    /** Loads a config file of any record type the same way (the rollback agent's {@code agent.yml}). */
    public <T> T load(Path file, Class<T> type) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return parse(text, file.toString(), type);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses config text; {@code source} names it in errors. */
    public WatchdogConfig parse(String yaml, String source) {
        return parse(yaml, source, WatchdogConfig.class);
    }

    /**
     * Parses config text into any record type; {@code source} names it in errors as {@code
     * source:line: ...}, one line per problem: every problem of the file at once, not one per run.
     */
    public <T> T parse(String yaml, String source, Class<T> type) {
        try {
            T config = mapper.readValue(yaml, type);
            if (config == null) {
                throw new ConfigException(source + ": the config is empty");
            }
            return config;
        } catch (JsonMappingException e) {
            List<String> problems = new ArrayList<>(List.of(source + line(e) + ": " + message(e)));
            if (yamlCause(e) == null && !DUPLICATE.matcher(String.valueOf(e.getOriginalMessage())).matches()) {
                problems.addAll(more(yaml, source, type, e));
            }
            throw new ConfigException(String.join("\n", problems));
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + line(e) + ": " + message(e));
        }
    }

    /**
     * The problems after the first: the key at fault is taken out and the rest read again, until it
     * reads or 50 problems are found. What only follows from a key taken out (a section then
     * missing a key it needs, a check across sections) is not told: it is not the user's.
     */
    private List<String> more(String yaml, String source, Class<?> type, JsonMappingException first) {
        List<String> out = new ArrayList<>();
        JsonNode tree;
        Node marks;
        try {
            tree = mapper.readTree(yaml);
            marks = new org.yaml.snakeyaml.Yaml().compose(new java.io.StringReader(yaml));
        } catch (IOException | RuntimeException e) {
            return out;
        }
        // The objects and lists a key was taken out of: a problem of theirs alone follows from that.
        Set<JsonNode> touched = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        // A list's items as the file has them, once some are taken out: problems are told at their place in the file.
        IdentityHashMap<JsonNode, List<Integer>> places = new IdentityHashMap<>();
        JsonMappingException e = first;
        for (int i = 0; i < 50 && e != null && !e.getPath().isEmpty(); i++) {
            JsonNode parent = remove(tree, e.getPath(), places);
            if (parent == null) {
                break;
            }
            touched.add(parent);
            try {
                mapper.treeToValue(tree, type);
                e = null;
            } catch (JsonMappingException next) {
                e = next;
                if (!next.getPath().isEmpty() && !touched.contains(nodeAt(tree, next.getPath()))) {
                    List<JsonMappingException.Reference> asWritten = asWritten(tree, next.getPath(), places);
                    out.add(source + lineOf(marks, asWritten) + ": " + message(next, path(asWritten)));
                }
            } catch (JsonProcessingException | IllegalArgumentException other) {
                e = null;
            }
        }
        return out;
    }

    /** The deepest node of the tree that {@code path} reaches. */
    private static JsonNode nodeAt(JsonNode tree, List<JsonMappingException.Reference> path) {
        JsonNode node = tree;
        for (JsonMappingException.Reference ref : path) {
            JsonNode next = ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
            if (next == null) {
                break;
            }
            node = next;
        }
        return node;
    }

    /** The path with each list's index as the file has it. */
    private static List<JsonMappingException.Reference> asWritten(JsonNode tree, List<JsonMappingException.Reference> path,
                                                                  IdentityHashMap<JsonNode, List<Integer>> places) {
        List<JsonMappingException.Reference> out = new ArrayList<>();
        JsonNode node = tree;
        for (JsonMappingException.Reference ref : path) {
            List<Integer> place = node == null ? null : places.get(node);
            boolean indexed = ref.getFieldName() == null && ref.getIndex() >= 0;
            out.add(indexed && place != null && ref.getIndex() < place.size()
                    ? new JsonMappingException.Reference(null, place.get(ref.getIndex())) : ref);
            node = node == null ? null : indexed ? node.get(ref.getIndex()) : node.get(ref.getFieldName());
        }
        return out;
    }

    /** Takes the node at {@code path} out of the tree; returns what it was taken out of, or null if there is none. */
    private static @Nullable JsonNode remove(JsonNode tree, List<JsonMappingException.Reference> path,
                                             IdentityHashMap<JsonNode, List<Integer>> places) {
        JsonNode parent = nodeAt(tree, path.subList(0, path.size() - 1));
        JsonMappingException.Reference last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object && last.getFieldName() != null && object.has(last.getFieldName())) {
            object.remove(last.getFieldName());
            return object;
        }
        if (parent instanceof ArrayNode array && last.getFieldName() == null && last.getIndex() >= 0
                && last.getIndex() < array.size()) {
            places.computeIfAbsent(array, a -> new ArrayList<>(java.util.stream.IntStream.range(0, a.size()).boxed()
                    .toList())).remove(last.getIndex());
            array.remove(last.getIndex());
            return array;
        }
        return null;
    }

    /** The line of the key a path leads to, as {@code :N}; empty if it cannot be found. */
    private static String lineOf(Node node, List<JsonMappingException.Reference> path) {
        int line = node == null ? -1 : node.getStartMark().getLine() + 1;
        for (JsonMappingException.Reference ref : path) {
            if (node instanceof MappingNode map && ref.getFieldName() != null) {
                NodeTuple found = map.getValue().stream().filter(t -> t.getKeyNode() instanceof ScalarNode k
                        && k.getValue().equals(ref.getFieldName())).findFirst().orElse(null);
                if (found == null) {
                    break;
                }
                line = found.getKeyNode().getStartMark().getLine() + 1;
                node = found.getValueNode();
            } else if (node instanceof SequenceNode seq && ref.getIndex() >= 0 && ref.getIndex() < seq.getValue().size()) {
                node = seq.getValue().get(ref.getIndex());
                line = node.getStartMark().getLine() + 1;
            } else {
                break;
            }
        }
        return line > 0 ? ":" + line : "";
    }

    private static String message(JsonProcessingException e) {
        return message(e, e instanceof JsonMappingException m ? path(m.getPath()) : "");
    }

    /** What is wrong, at {@code path} (the key path as the file has it). */
    private static String message(JsonProcessingException e, String path) {
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.matches()) {
            return "duplicate key '" + (path.isEmpty() ? "" : path + ".") + duplicate.group(1) + "'";
        }
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown key '" + path + "'";
        }
        MarkedYAMLException yaml = yamlCause(e);
        if (yaml != null || !(e instanceof JsonMappingException mapping)) {
            return "not valid YAML: " + (yaml == null ? "cannot parse here" : yaml.getProblem());
        }
        return (path.isEmpty() ? "" : path + ": ") + reason(mapping);
    }

    /** SnakeYAML's own error, whose problem says what is wrong without quoting the line (which may hold a secret). */
    private static @Nullable MarkedYAMLException yamlCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m) {
                return m;
            }
        }
        return null;
    }

    /** Writes the config as YAML with every secret masked: safe to print and log. */
    public String print(Object config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String resolve(String text) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(lookup(m.group(1), m.group(2).trim())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String lookup(String kind, String name) {
        if (kind.equals("env")) {
            String value = env.apply(name);
            if (value == null) {
                throw new IllegalArgumentException("environment variable " + name + " is not set");
            }
            return value;
        }
        try {
            return Files.readString(Path.of(name), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read secret file " + name);
        }
    }

    private static String path(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** The root cause's own words where it is ours (validation), Jackson's otherwise, never the value. */
    private static @Nullable String reason(JsonMappingException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
            return cause.getMessage();
        }
        String original = e.getOriginalMessage();
        int cut = original.indexOf(" from String value");
        return cut > 0 ? original.substring(0, cut) + " from the value given" : original;
    }

    private static String line(JsonProcessingException e) {
        MarkedYAMLException yaml = yamlCause(e);
        int line = yaml != null && yaml.getProblemMark() != null ? yaml.getProblemMark().getLine() + 1
                : e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        return line > 0 ? ":" + line : "";
    }

    /**
     * Printed, a URL shows only where it points (scheme, host, port): its user, password, path and
     * query may carry a token (a Slack webhook's path, {@code ?token=}, {@code user:pass@}).
     */
    private static final class UrlMasking extends StdSerializer<String> {
        private static final long serialVersionUID = 1L;

        UrlMasking() {
            super(String.class);
        }

        @Override
        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(mask(value));
        }

        static String mask(String value) {
            try {
                URI uri = new URI(value);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    return value;
                }
                String where = uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : Secret.MASK + "@")
                        + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
                boolean more = uri.getRawQuery() != null || uri.getRawFragment() != null
                        || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"));
                return more ? where + "/" + Secret.MASK : where;
            } catch (URISyntaxException e) {
                return value;
            }
        }
    }

    /** Every scalar of type T is read as text, references resolved, then converted. */
    private final class Resolving<T> extends StdScalarDeserializer<T> {
        private static final long serialVersionUID = 1L;
        private final transient Function<String, T> convert;

        Resolving(Class<T> type, Function<String, T> convert) {
            super(type);
            this.convert = convert;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                return ctx.reportInputMismatch(this, "expected a single value");
            }
            try {
                return convert.apply(resolve(p.getValueAsString()));
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage(), e);
            }
        }
    }
}
