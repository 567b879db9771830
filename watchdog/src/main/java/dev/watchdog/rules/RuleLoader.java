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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/** Loads rule files, collecting every problem with its file, line and rule instead of stopping at the first. */
public final class RuleLoader {

    private static final Set<String> FILE_KEYS = Set.of("groups", "dryRun");
    private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "rules");
    private static final Set<String> RULE_KEYS = Set.of("name", "signal", "expr", "unit", "p0", "p1",
            "for", "after", "noData", "guard", "annotations", "baseline", "minTraffic", "slo", "dryRun");
    private static final Set<String> MIN_TRAFFIC_KEYS = Set.of("expr", "atLeast");
    private static final Set<String> SLO_KEYS = Set.of("objective", "errors", "total", "windows", "beforeRelease");
    private static final Set<String> WINDOW_KEYS = Set.of("long", "short", "burnRate", "severity");

    private final List<Problem> problems = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, String> firstPlace = new HashMap<>();
    private String file;
    private boolean fileDryRun;

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
        fileDryRun = false;
        int first = problems.size();
        parse(path);
        problems.subList(first, problems.size()).sort(Comparator.comparingInt(Problem::line));
    }

    private void parse(Path path) {
        try {
            List<Integer> duplicates = new ArrayList<>();
            YamlNode root = YamlNode.parse(Files.readString(path, StandardCharsets.UTF_8), duplicates);
            duplicates.forEach(line -> problem(line, null, "duplicate key"));
            Mapping top = mapping(root, null, "a rule file must be a mapping with 'groups'");
            if (top != null) {
                unknownKeys(top, FILE_KEYS, null);
                fileDryRun = optional(top, "dryRun", null, RuleLoader::bool).orElse(false);
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
        Optional<Slo> slo = m.entries().containsKey("slo") ? Optional.ofNullable(slo(m, name)) : Optional.empty();
        Template expr = slo.isPresent() || m.entries().containsKey("slo") ? null : required(m, "expr", name, RuleLoader::query);
        Unit unit = optional(m, "unit", name, s -> enumOf(Unit.class, s)).orElse(Unit.NONE);
        Optional<Threshold> p1 = optional(m, "p1", name, Threshold::parse);
        Optional<Threshold> p0 = optional(m, "p0", name, Threshold::parse);
        Duration forDuration = optional(m, "for", name, Durations::parse).orElse(Duration.ZERO);
        Duration after = optional(m, "after", name, Durations::parse).orElse(Duration.ZERO);
        NoData noData = optional(m, "noData", name, s -> enumOf(NoData.class, s)).orElse(NoData.INCONCLUSIVE);
        Optional<Template> guard = optional(m, "guard", name, RuleLoader::query);
        Optional<Baseline> baseline = optional(m, "baseline", name, Baseline::parse);
        Optional<Rule.MinTraffic> minTraffic = minTraffic(m, name);
        boolean dryRun = fileDryRun || optional(m, "dryRun", name, RuleLoader::bool).orElse(false);
        Map<String, String> annotations = annotations(m, name);
        boolean thresholds = m.entries().containsKey("p0") || m.entries().containsKey("p1");
        if (m.entries().containsKey("slo")) {
            if (thresholds || m.entries().containsKey("expr") || m.entries().containsKey("baseline")) {
                problem(m.line(), name, "an slo rule takes its severities from its windows: no expr, p0, p1 or baseline");
            }
        } else if (!thresholds) {
            problem(m.line(), name, "a rule needs p0, p1 or both");
        }
        if (baseline.isEmpty() && Stream.of(p1, p0).flatMap(Optional::stream).anyMatch(Threshold::relative)) {
            problem(m.line(), name, "a relative threshold (%) needs a baseline: before-release, offset 1d ...");
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
                    annotations, interval, baseline, minTraffic, slo, dryRun, file, m.line()));
        }
    }

    private Optional<Rule.MinTraffic> minTraffic(Mapping rule, String name) {
        if (!rule.entries().containsKey("minTraffic")) {
            return Optional.empty();
        }
        Mapping m = mapping(rule.entries().get("minTraffic"), name, "minTraffic must be a mapping with expr and atLeast");
        if (m == null) {
            return Optional.empty();
        }
        unknownKeys(m, MIN_TRAFFIC_KEYS, name);
        Template expr = required(m, "expr", name, RuleLoader::query);
        Double atLeast = required(m, "atLeast", name, RuleLoader::number);
        return expr == null || atLeast == null ? Optional.empty() : Optional.of(new Rule.MinTraffic(expr, atLeast));
    }

    private Slo slo(Mapping rule, String name) {
        Mapping m = mapping(rule.entries().get("slo"), name, "slo must be a mapping");
        if (m == null) {
            return null;
        }
        unknownKeys(m, SLO_KEYS, name);
        Double objective = required(m, "objective", name, RuleLoader::objective);
        Template errors = required(m, "errors", name, RuleLoader::windowed);
        Template total = required(m, "total", name, RuleLoader::windowed);
        boolean clip = optional(m, "beforeRelease", name, s -> switch (s) {
            case "clip" -> true;
            case "include" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not one of clip, include");
        }).orElse(true);
        List<Slo.Window> windows = new ArrayList<>();
        if (m.entries().containsKey("windows")) {
            forEach(m, "windows", name, w -> window(w, name, windows));
        } else {
            windows.addAll(Slo.WORKBOOK);
        }
        return objective == null || errors == null || total == null ? null : new Slo(objective, errors, total, windows, clip);
    }

    private void window(YamlNode node, String name, List<Slo.Window> into) {
        Mapping w = mapping(node, name, "a window must be a mapping with long, short, burnRate and severity");
        if (w == null) {
            return;
        }
        unknownKeys(w, WINDOW_KEYS, name);
        Duration longWindow = required(w, "long", name, RuleLoader::positiveDuration);
        Duration shortWindow = required(w, "short", name, RuleLoader::positiveDuration);
        Double burnRate = required(w, "burnRate", name, RuleLoader::number);
        Boolean p0 = required(w, "severity", name, s -> switch (s) {
            case "p0" -> true;
            case "p1" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not one of p0, p1");
        });
        if (longWindow != null && shortWindow != null && shortWindow.compareTo(longWindow) > 0) {
            problem(w.line(), name, "a window's short must not be longer than its long");
        } else if (longWindow != null && shortWindow != null && burnRate != null && p0 != null) {
            into.add(new Slo.Window(longWindow, shortWindow, burnRate, p0));
        }
    }

    /** A PromQL template outside SLO queries: {{window}} belongs to those alone. */
    private static Template query(String text) {
        Template t = Template.parse(text);
        if (t.variables().contains(Template.WINDOW)) {
            throw new IllegalArgumentException("{{window}} is only for an slo's errors and total");
        }
        return t;
    }

    private static Template windowed(String text) {
        Template t = Template.parse(text);
        if (!t.variables().contains(Template.WINDOW)) {
            throw new IllegalArgumentException("must use {{window}} as its range, e.g. [{{window}}]");
        }
        return t;
    }

    private static double objective(String text) {
        String t = text.trim();
        double value = t.endsWith("%") ? number(t.substring(0, t.length() - 1)) / 100 : number(t);
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException("'" + text + "' is not an objective between 0 and 1 (or 0 % and 100 %)");
        }
        return value;
    }

    private static double number(String text) {
        try {
            double v = Double.parseDouble(text.trim());
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not a number");
    }

    private static boolean bool(String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        };
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
