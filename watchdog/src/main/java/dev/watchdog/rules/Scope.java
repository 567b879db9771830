package dev.watchdog.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which releases a rule judges and how it finds each one's series. {@code match} (from the rule's
 * group) picks the releases. {@code select}, when not empty, makes the rule one query for all of
 * them: each release is judged on the series whose labels equal the selected values, rendered from
 * the release (e.g. {@code service: "{{service}}"}).
 */
public record Scope(Match match, Map<String, Template> select) {

    public static final Scope EVERY_RELEASE = new Scope(Match.ALL, Map.of());

    public Scope {
        select = Collections.unmodifiableMap(new LinkedHashMap<>(select));
    }

    public boolean selects() {
        return !select.isEmpty();
    }

    /** The selected label names, sorted: the order of {@link #values}. */
    public List<String> labels() {
        return select.keySet().stream().sorted().toList();
    }

    /** The values a release's series must have for {@link #labels}, in that order; throws as {@link #selected}. */
    public List<String> values(Map<String, String> values) {
        List<String> out = new ArrayList<>();
        labels().forEach(label -> out.add(Objects.requireNonNull(select.get(label), "labels() are the keys of select")
                .render(values)));
        return out;
    }

    /** The label values a release's series must have; throws {@link IllegalArgumentException} if a variable is missing. */
    public Map<String, String> selected(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        select.forEach((label, t) -> out.put(label, t.render(values)));
        return out;
    }
}
