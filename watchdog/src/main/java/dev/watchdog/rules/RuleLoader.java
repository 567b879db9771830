package dev.watchdog.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.watchdog.core.Durations;
import dev.watchdog.core.Unit;
import dev.watchdog.rules.Judgement.NoData;
import dev.watchdog.rules.Rule.Signal;
import dev.watchdog.rules.YamlNode.Mapping;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Loads rule files, collecting every problem with its file, line and rule instead of stopping at the first. */
public final class RuleLoader {

    private static final Set<String> FILE_KEYS = Set.of("groups", "dryRun");
    private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "rules", "match");
    private static final Set<String> RULE_KEYS = Set.of("name", "signal", "expr", "unit", "p0", "p1",
            "for", "after", "noData", "guard", "annotations", "baseline", "minTraffic", "slo", "dryRun",
            "select", "labels", "significance", "quantile", "total", "minSample", "versions");
    private static final Set<String> MIN_TRAFFIC_KEYS = Set.of("expr", "atLeast");
    private static final Set<String> SLO_KEYS = Set.of("objective", "errors", "total", "windows", "beforeRelease");
    private static final Set<String> WINDOW_KEYS = Set.of("long", "short", "burnRate", "severity");

    private final List<Problem> problems = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, String> firstPlace = new HashMap<>();
    private final Fields fields = new Fields(problems);
    private final FleetFields fleet = new FleetFields(fields);
    private String file = "";
    private boolean fileDryRun;

    private RuleLoader() {}

    /** Loads every file, or throws {@link RuleException} with all their problems. */
    public static RuleSet load(List<Path> files) {
        RuleLoader loader = new RuleLoader();
        files.forEach(loader::read);
        if (!loader.problems.isEmpty()) {
            throw new RuleException(loader.problems, loader.rules);
        }
        return new RuleSet(loader.rules);
    }

    private void read(Path path) {
        file = path.toString();
        fields.file(file);
        fileDryRun = false;
        int first = problems.size();
        parse(path);
        problems.subList(first, problems.size()).sort(Comparator.comparingInt(Problem::line));
    }

    private void parse(Path path) {
        try {
            List<YamlNode.Duplicate> duplicates = new ArrayList<>();
            YamlNode root = YamlNode.parse(Files.readString(path, StandardCharsets.UTF_8), duplicates);
            duplicates.forEach(d -> fields.problem(d.line(), null, "duplicate key '" + d.key() + "' (first at line " + d.firstLine() + ")"));
            Mapping top = fields.mapping(root, null, "a rule file must be a mapping with 'groups'");
            if (top != null) {
                fields.unknownKeys(top, FILE_KEYS, null);
                fileDryRun = fields.optional(top, "dryRun", null, Fields::bool).orElse(false);
                fields.forEach(top, "groups", null, this::group);
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            if (!unquotedThresholds(path)) {
                fields.problem(line, null, "not valid YAML: " + e.getOriginalMessage());
            }
        } catch (IOException e) {
            fields.problem(0, null, "cannot read: " + e.getMessage());
        }
    }

    /** A threshold written as in PromQL ({@code p1: > 0.02}): YAML reads {@code >} as a folded block, so say how to write it. */
    private static final Pattern UNQUOTED = Pattern.compile("^(\\s*-?\\s*)(p0|p1)\\s*:\\s*([<>][^#\"']*?)\\s*(#.*)?$");

    /** Tells each unquoted threshold of the file with its fix; false when there is none (another YAML problem). */
    private boolean unquotedThresholds(Path path) {
        try {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            boolean found = false;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = UNQUOTED.matcher(lines.get(i));
                if (m.matches()) {
                    found = true;
                    fields.problem(i + 1, null, m.group(2) + ": a threshold beginning with " + m.group(3).charAt(0)
                            + " must be quoted (YAML reads it as a block of text): write " + m.group(2) + ": \""
                            + m.group(3) + "\"");
                }
            }
            return found;
        } catch (IOException e) {
            return false;
        }
    }

    private void group(YamlNode node) {
        Mapping group = fields.mapping(node, null, "a group must be a mapping");
        if (group == null) {
            return;
        }
        fields.unknownKeys(group, GROUP_KEYS, null);
        String name = fields.text(group, "name", null, true);
        Optional<Duration> interval = fields.optional(group, "interval", null, Fields::positiveDuration);
        Match match = fleet.match(group);
        if (name != null) {
            fields.forEach(group, "rules", null, r -> rule(r, name, interval, match));
        }
    }

    private void rule(YamlNode node, String group, Optional<Duration> interval, Match match) {
        Mapping m = fields.mapping(node, null, "a rule must be a mapping");
        if (m == null) {
            return;
        }
        String name = fields.text(m, "name", null, true);
        int before = problems.size();
        if (name != null && !name.matches("[a-z0-9-]+")) {
            fields.problem(m.keyLine("name"), name, "name must match [a-z0-9-]+");
        }
        fields.unknownKeys(m, RULE_KEYS, name);
        Signal signal = fields.required(m, "signal", name, s -> Fields.enumOf(Signal.class, s));
        Measure measure = measure(m, name, interval);
        Judgement judgement = judgement(m, name);
        Presentation presentation = new Presentation(
                fields.optional(m, "unit", name, s -> Fields.enumOf(Unit.class, s)).orElse(Unit.NONE),
                annotations(m, name), fleet.labels(m, name));
        boolean dryRun = fileDryRun || fields.optional(m, "dryRun", name, Fields::bool).orElse(false);
        Scope scope = new Scope(match, fleet.select(m, name));
        fleet.samePerRelease(m, name, measure);
        new RuleChecks(fields, m, name).check(measure, judgement);
        if (name == null) {
            return;
        }
        String earlier = firstPlace.putIfAbsent(name, file + ":" + m.line());
        if (earlier != null) {
            fields.problem(m.line(), name, "duplicate rule name (first at " + earlier + ")");
        }
        if (problems.size() == before) {
            Signal read = Objects.requireNonNull(signal, "a rule with no problem has its signal");
            rules.add(new Rule(name, group, read, measure, judgement, presentation, scope, dryRun,
                    new Place(file, m.line())));
        }
    }

    private Measure measure(Mapping m, @Nullable String name, Optional<Duration> interval) {
        Optional<Slo> slo = m.entries().containsKey("slo") ? Optional.ofNullable(slo(m, name)) : Optional.empty();
        Template expr = m.entries().containsKey("slo") ? null : fields.required(m, "expr", name, RuleLoader::query);
        Optional<Template> total = fields.optional(m, "total", name, RuleLoader::query);
        Optional<Double> quantile = fields.optional(m, "quantile", name, Fields::quantile);
        Shape shape = total.<Shape>map(Shape.Ratio::new).or(() -> quantile.map(Shape.Quantile::new)).orElse(Shape.VALUE);
        Optional<Template> guard = fields.optional(m, "guard", name, RuleLoader::query);
        Optional<Baseline> baseline = fields.optional(m, "baseline", name, Baseline::parse);
        Optional<Baseline.Versions> versions = fleet.versions(m, name);
        if (versions.isPresent()) {
            baseline = baseline.map(b -> b.with(versions.get()));
        }
        return new Measure(expr, shape, guard, minTraffic(m, name), baseline, slo, interval);
    }

    private Judgement judgement(Mapping m, @Nullable String name) {
        Optional<Threshold> p1 = fields.optional(m, "p1", name, Threshold::parse);
        Optional<Threshold> p0 = fields.optional(m, "p0", name, Threshold::parse);
        Duration forDuration = fields.optional(m, "for", name, Durations::parse).orElse(Duration.ZERO);
        Duration after = fields.optional(m, "after", name, Durations::parse).orElse(Duration.ZERO);
        NoData noData = fields.optional(m, "noData", name, s -> Fields.enumOf(NoData.class, s)).orElse(NoData.INCONCLUSIVE);
        Optional<Double> significance = fields.optional(m, "significance", name, FleetFields::significance);
        Optional<Double> minSample = fields.optional(m, "minSample", name, Fields::notNegative);
        Optional<Judgement.Test> test = significance.map(level -> new Judgement.Test(level, minSample.orElse(0.0)));
        return new Judgement(p1, p0, forDuration, after, noData, test);
    }

    private Optional<Measure.MinTraffic> minTraffic(Mapping rule, @Nullable String name) {
        if (!rule.entries().containsKey("minTraffic")) {
            return Optional.empty();
        }
        Mapping m = fields.mapping(rule.entries().get("minTraffic"), name, "minTraffic must be a mapping with expr and atLeast");
        if (m == null) {
            return Optional.empty();
        }
        fields.unknownKeys(m, MIN_TRAFFIC_KEYS, name);
        Template expr = fields.required(m, "expr", name, RuleLoader::query);
        Double atLeast = fields.required(m, "atLeast", name, Fields::number);
        return expr == null || atLeast == null ? Optional.empty() : Optional.of(new Measure.MinTraffic(expr, atLeast));
    }

    private @Nullable Slo slo(Mapping rule, @Nullable String name) {
        YamlNode node = Objects.requireNonNull(rule.entries().get("slo"), "read only for a rule with slo");
        Mapping m = fields.mapping(node, name, "slo must be a mapping");
        if (m == null) {
            return null;
        }
        fields.unknownKeys(m, SLO_KEYS, name);
        Double objective = fields.required(m, "objective", name, Fields::objective);
        Template errors = fields.required(m, "errors", name, RuleLoader::windowed);
        Template total = fields.required(m, "total", name, RuleLoader::windowed);
        boolean clip = fields.optional(m, "beforeRelease", name, s -> switch (s) {
            case "clip" -> true;
            case "include" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not one of clip, include");
        }).orElse(true);
        List<Slo.Window> windows = new ArrayList<>();
        if (m.entries().containsKey("windows")) {
            fields.forEach(m, "windows", name, w -> window(w, name, windows));
        } else {
            windows.addAll(Slo.WORKBOOK);
        }
        return objective == null || errors == null || total == null ? null : new Slo(objective, errors, total, windows, clip);
    }

    private void window(YamlNode node, @Nullable String name, List<Slo.Window> into) {
        Mapping w = fields.mapping(node, name, "a window must be a mapping with long, short, burnRate and severity");
        if (w == null) {
            return;
        }
        fields.unknownKeys(w, WINDOW_KEYS, name);
        Duration longWindow = fields.required(w, "long", name, Fields::positiveDuration);
        Duration shortWindow = fields.required(w, "short", name, Fields::positiveDuration);
        Double burnRate = fields.required(w, "burnRate", name, Fields::number);
        Boolean p0 = fields.required(w, "severity", name, s -> switch (s) {
            case "p0" -> true;
            case "p1" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not one of p0, p1");
        });
        if (longWindow != null && shortWindow != null && shortWindow.compareTo(longWindow) > 0) {
            fields.problem(w.line(), name, "a window's short must not be longer than its long");
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

    /** An SLO's errors or total: ranged by {{window}}, which the watchdog sets to each window. */
    private static Template windowed(String text) {
        Template t = Template.parse(text);
        if (!t.variables().contains(Template.WINDOW)) {
            throw new IllegalArgumentException("must use {{window}} as its range, e.g. [{{window}}]");
        }
        if (t.variables().contains(Template.SINCE_RELEASE)) {
            throw new IllegalArgumentException("{{since_release}} is not for an slo: its windows are {{window}}");
        }
        return t;
    }

    private Map<String, String> annotations(Mapping rule, @Nullable String name) {
        YamlNode node = rule.entries().get("annotations");
        if (node == null) {
            return Map.of();
        }
        Mapping m = fields.mapping(node, name, "annotations must be a mapping of text");
        Map<String, String> out = new LinkedHashMap<>();
        if (m != null) {
            m.entries().keySet().forEach(key -> out.put(key, fields.text(m, key, name, true)));
        }
        return out;
    }
}
