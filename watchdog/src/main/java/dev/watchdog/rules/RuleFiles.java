package dev.watchdog.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Expands rule file patterns ({@code rules/*.yml}), relative to the config file's folder as
 * Prometheus does, and loads them; a watchdog never starts, reloads or passes a check watching with
 * no rule at all.
 */
public final class RuleFiles {

    private RuleFiles() {}

    /**
     * The rules of the config's patterns; a {@link RuleException} when the patterns match no file, or
     * the files hold no rule: a watchdog with nothing to judge would call every release healthy.
     */
    public static RuleSet load(Path base, List<String> patterns) {
        List<Path> files = expand(base, patterns);
        if (files.isEmpty()) {
            throw new RuleException(List.of(new Problem(base.toString(), 0, null, "rules " + patterns
                    + " match no file here; the documented install keeps the rule files in rules/ beside the config")));
        }
        RuleSet rules = RuleLoader.load(files);
        if (rules.rules().isEmpty()) {
            throw new RuleException(List.of(new Problem(files.get(0).toString(), 0, null, "rules " + patterns
                    + " match " + files.size() + " file(s) but no rule: there is nothing to judge a release by")));
        }
        return rules;
    }

    public static List<Path> expand(Path base, List<String> patterns) {
        List<Path> out = new ArrayList<>();
        for (String pattern : patterns) {
            Path full = base.resolve(pattern).normalize();
            if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("[")) {
                out.add(full);
                continue;
            }
            Path dir = Objects.requireNonNull(full.getParent(), "a pattern in the config's folder has a parent");
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(matcher::matches).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.stream().distinct().toList();
    }
}
