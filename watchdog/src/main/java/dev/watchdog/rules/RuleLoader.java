package dev.watchdog.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.watchdog.config.Durations;
import dev.watchdog.rules.Rule.NoData;
import dev.watchdog.rules.Rule.Signal;
import dev.watchdog.rules.Rule.Unit;
import dev.watchdog.rules.YamlNode.Mapping;
import dev.watchdog.rules.YamlNode.Scalar;
import dev.watchdog.rules.YamlNode.Sequence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/** Loads rule files, collecting every problem with its file, line and rule instead of stopping at the first. */
public final class RuleLoader {

    private static final Set<String> FILE_KEYS = Set.of("groups");
    private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "rules");
    private static final Set<String> RULE_KEYS = Set.of("name", "signal", "expr", "unit", "p0", "p1",
            "for", "after", "noData", "guard", "annotations");

    private final List<Problem> problems = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, String> firstPlace = new HashMap<>();
    private String file;

    private RuleLoader() {}

    /** Loads every file, or throws {@link RuleException} with all their problems. */
    public static RuleSet load(List<Path> files) {
        RuleLoader loader = new RuleLoader();
        files.forEach(loader::read);
        if (!loader.problems.isEmpty()) {
            throw new RuleException(loader.problems);
        }
        return new RuleSet(loader.rules);
    }

    private void read(Path path) {
        file = path.toString();
        int first = problems.size();
        parse(path);
        problems.subList(first, problems.size()).sort(java.util.Comparator.comparingInt(Problem::line));
    }

    private void parse(Path path) {
        try {
            List<Integer> duplicates = new ArrayList<>();
            YamlNode root = YamlNode.parse(Files.readString(path, StandardCharsets.UTF_8), duplicates);
            duplicates.forEach(line -> problem(line, null, "duplicate key"));
            Mapping top = mapping(root, null, "a rule file must be a mapping with 'groups'");
            if (top != null) {
                unknownKeys(top, FILE_KEYS, null);
                forEach(top, "groups", null, this::group);
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            problem(line, null, "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            problem(0, null, "cannot read: " + e.getMessage());
        }
    }

    private void group(YamlNode node) {
        Mapping group = mapping(node, null, "a group must be a mapping");
        if (group == null) {
            return;
        }
        unknownKeys(group, GROUP_KEYS, null);
        String name = text(group, "name", null, true);
        Optional<Duration> interval = optional(group, "interval", null, RuleLoader::positiveDuration);
        if (name != null) {
            forEach(group, "rules", null, r -> rule(r, name, interval));
        }
    }

    private void rule(YamlNode node, String group, Optional<Duration> interval) {
        Mapping m = mapping(node, null, "a rule must be a mapping");
        if (m == null) {
            return;
        }
        String name = text(m, "name", null, true);
        int before = problems.size();
        if (name != null && !name.matches("[a-z0-9-]+")) {
            problem(m.keyLines().get("name"), name, "name must match [a-z0-9-]+");
        }
        unknownKeys(m, RULE_KEYS, name);
        Signal signal = required(m, "signal", name, s -> enumOf(Signal.class, s));
        Template expr = required(m, "expr", name, Template::parse);
        Unit unit = optional(m, "unit", name, s -> enumOf(Unit.class, s)).orElse(Unit.NONE);
        Optional<Threshold> p1 = optional(m, "p1", name, Threshold::parse);
        Optional<Threshold> p0 = optional(m, "p0", name, Threshold::parse);
        Duration forDuration = optional(m, "for", name, Durations::parse).orElse(Duration.ZERO);
        Duration after = optional(m, "after", name, Durations::parse).orElse(Duration.ZERO);
        NoData noData = optional(m, "noData", name, s -> enumOf(NoData.class, s)).orElse(NoData.INCONCLUSIVE);
        Optional<Template> guard = optional(m, "guard", name, Template::parse);
        Map<String, String> annotations = annotations(m, name);
        if (!m.entries().containsKey("p0") && !m.entries().containsKey("p1")) {
            problem(m.line(), name, "a rule needs p0, p1 or both");
        }
        if (name == null) {
            return;
        }
        String earlier = firstPlace.putIfAbsent(name, file + ":" + m.line());
        if (earlier != null) {
            problem(m.line(), name, "duplicate rule name (first at " + earlier + ")");
        }
        if (problems.size() == before) {
            rules.add(new Rule(name, group, signal, expr, unit, p1, p0, forDuration, after, noData, guard,
                    annotations, interval, file, m.line()));
        }
    }

    private Map<String, String> annotations(Mapping rule, String name) {
        YamlNode node = rule.entries().get("annotations");
        if (node == null) {
            return Map.of();
        }
        Mapping m = mapping(node, name, "annotations must be a mapping of text");
        Map<String, String> out = new LinkedHashMap<>();
        if (m != null) {
            m.entries().keySet().forEach(key -> out.put(key, text(m, key, name, true)));
        }
        return out;
    }

    private void forEach(Mapping parent, String key, String rule, Consumer<YamlNode> each) {
        YamlNode node = parent.entries().get(key);
        if (node instanceof Sequence seq) {
            seq.items().forEach(each);
        } else {
            problem(node == null ? parent.line() : node.line(), rule, "'" + key + "' must be a list");
        }
    }

    private <T> T required(Mapping m, String key, String rule, Function<String, T> convert) {
        if (!m.entries().containsKey(key)) {
            problem(m.line(), rule, "'" + key + "' is required");
            return null;
        }
        return optional(m, key, rule, convert).orElse(null);
    }

    private <T> Optional<T> optional(Mapping m, String key, String rule, Function<String, T> convert) {
        String text = text(m, key, rule, false);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(convert.apply(text));
        } catch (IllegalArgumentException e) {
            problem(m.entries().get(key).line(), rule, key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private String text(Mapping m, String key, String rule, boolean required) {
        YamlNode node = m.entries().get(key);
        if (node instanceof Scalar s && s.text() != null && !s.text().isBlank()) {
            return s.text();
        }
        if (node != null || required) {
            problem(node == null ? m.line() : node.line(), rule, "'" + key + "' must be " + (required ? "given as " : "") + "text");
        }
        return null;
    }

    private Mapping mapping(YamlNode node, String rule, String message) {
        if (node instanceof Mapping m) {
            return m;
        }
        problem(node.line(), rule, message);
        return null;
    }

    private void unknownKeys(Mapping m, Set<String> allowed, String rule) {
        m.keyLines().forEach((key, line) -> {
            if (!allowed.contains(key)) {
                problem(line, rule, "unknown key '" + key + "'");
            }
        });
    }

    private void problem(int line, String rule, String message) {
        problems.add(new Problem(file, line, rule, message));
    }

    private static Duration positiveDuration(String text) {
        Duration d = Durations.parse(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be positive");
        }
        return d;
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String text) {
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            if (Rule.label(e).equals(text)) {
                return e;
            }
            allowed.add(Rule.label(e));
        }
        throw new IllegalArgumentException("'" + text + "' is not one of " + String.join(", ", allowed));
    }
}
