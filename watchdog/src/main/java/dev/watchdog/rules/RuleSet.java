package dev.watchdog.rules;

import dev.watchdog.core.Release;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every rule the daemon judges, loaded together; each release is judged by those that apply to it.
 * Immutable. Looked up by name and matched to releases hundreds of thousands of times a tick in a
 * fleet, so both are cheap: a map, and no filtering at all when no group has a match.
 */
public final class RuleSet {

    private final List<Rule> rules;
    private final Map<String, Rule> byName = new LinkedHashMap<>();
    private final boolean matched;

    public RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.rules.forEach(r -> byName.putIfAbsent(r.name(), r));
        this.matched = this.rules.stream().anyMatch(r -> !r.scope().match().equals(Match.ALL));
    }

    public List<Rule> rules() {
        return rules;
    }

    public Optional<Rule> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every template variable any rule uses. */
    public Set<String> variables() {
        Set<String> all = new TreeSet<>();
        rules.forEach(rule -> all.addAll(rule.variables()));
        return all;
    }

    /** The rules that apply to a release: those whose group's {@code match} it meets. */
    public RuleSet forRelease(Release release) {
        if (!matched) {
            return this;
        }
        return new RuleSet(rules.stream().filter(r -> r.scope().match().applies(release)).toList());
    }

    /** The variables a release must give: those of the rules that apply to it. */
    public Set<String> variables(Release release) {
        return forRelease(release).variables();
    }

    /** The shortest interval any group asks for, or the default. */
    public Duration shortestInterval(Duration fallback) {
        return rules.stream()
                .map(r -> r.measure().interval().orElse(fallback))
                .min(Duration::compareTo)
                .orElse(fallback);
    }

    @Override
    public String toString() {
        return "RuleSet" + byName.keySet();
    }
}
