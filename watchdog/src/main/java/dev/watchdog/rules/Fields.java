package dev.watchdog.rules;

import dev.watchdog.core.Durations;
import dev.watchdog.rules.YamlNode.Mapping;
import dev.watchdog.rules.YamlNode.Scalar;
import dev.watchdog.rules.YamlNode.Sequence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads typed fields from a rule file's nodes. A field that is missing or will not convert is a
 * problem with its file, line and rule, collected rather than thrown, so that a file's every
 * problem is reported at once.
 */
final class Fields {

    private final List<Problem> problems;
    private String file = "";

    Fields(List<Problem> problems) {
        this.problems = problems;
    }

    /** The file whose nodes are read next. */
    void file(String name) {
        this.file = name;
    }

    static double objective(String text) {
        String t = text.trim();
        double value = t.endsWith("%") ? number(t.substring(0, t.length() - 1)) / 100 : number(t);
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException("'" + text + "' is not an objective between 0 and 1 (or 0 % and 100 %)");
        }
        return value;
    }

    static double number(String text) {
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

    /** A quantile strictly between 0 and 1: 0.95 for p95. */
    static double quantile(String text) {
        double q = number(text);
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("'" + text + "' is not a quantile between 0 and 1, e.g. 0.95");
        }
        return q;
    }

    static double notNegative(String text) {
        double v = number(text);
        if (v < 0) {
            throw new IllegalArgumentException("'" + text + "' must not be negative");
        }
        return v;
    }

    static boolean bool(String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        };
    }

    void forEach(Mapping parent, String key, @Nullable String rule, Consumer<YamlNode> each) {
        YamlNode node = parent.entries().get(key);
        if (node instanceof Sequence seq) {
            seq.items().forEach(each);
        } else {
            problem(node == null ? parent.line() : node.line(), rule, "'" + key + "' must be a list");
        }
    }

    <T> @Nullable T required(Mapping m, String key, @Nullable String rule, Function<String, T> convert) {
        if (!m.entries().containsKey(key)) {
            problem(m.line(), rule, "'" + key + "' is required");
            return null;
        }
        return optional(m, key, rule, convert).orElse(null);
    }

    <T> Optional<T> optional(Mapping m, String key, @Nullable String rule, Function<String, T> convert) {
        String text = text(m, key, rule, false);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(convert.apply(text));
        } catch (IllegalArgumentException e) {
            YamlNode node = Objects.requireNonNull(m.entries().get(key), "a key with text has a node");
            problem(node.line(), rule, key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    @Nullable String text(Mapping m, String key, @Nullable String rule, boolean required) {
        YamlNode node = m.entries().get(key);
        if (node instanceof Scalar s && s.text() != null && !s.text().isBlank()) {
            return s.text();
        }
        if (node != null || required) {
            problem(node == null ? m.line() : node.line(), rule, "'" + key + "' must be " + (required ? "given as " : "") + "text");
        }
        return null;
    }

    @Nullable Mapping mapping(YamlNode node, @Nullable String rule, String message) {
        if (node instanceof Mapping m) {
            return m;
        }
        problem(node.line(), rule, message);
        return null;
    }

    void unknownKeys(Mapping m, Set<String> allowed, @Nullable String rule) {
        m.keyLines().forEach((key, line) -> {
            if (!allowed.contains(key)) {
                problem(line, rule, "unknown key '" + key + "'");
            }
        });
    }

    void problem(int line, @Nullable String rule, String message) {
        problems.add(new Problem(file, line, rule, message));
    }

    static Duration positiveDuration(String text) {
        Duration d = Durations.parse(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be positive");
        }
        return d;
    }

    static <E extends Enum<E>> E enumOf(Class<E> type, String text) {
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
