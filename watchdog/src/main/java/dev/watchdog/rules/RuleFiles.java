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

/** Expands rule file patterns ({@code rules/*.yml}), relative to the config file's folder as Prometheus does. */
public final class RuleFiles {

    private RuleFiles() {}

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
