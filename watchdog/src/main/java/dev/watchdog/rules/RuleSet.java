package dev.watchdog.rules;

import dev.watchdog.release.Release;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Every rule the daemon judges, loaded together; each release is judged by those that apply to it. */
public record RuleSet(List<Rule> rules) {

    public RuleSet {
        rules = List.copyOf(rules);
    }

    public Optional<Rule> byName(String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** Every template variable any rule uses. */
    public Set<String> variables() {
        Set<String> all = new TreeSet<>();
        rules.forEach(rule -> all.addAll(rule.variables()));
        return all;
    }

    /** The rules that apply to a release: those whose group's {@code match} it meets. */
    public RuleSet forRelease(Release release) {
        if (rules.stream().allMatch(r -> r.scope().match() == Match.ALL)) {
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
                .map(r -> r.interval().orElse(fallback))
                .min(Duration::compareTo)
                .orElse(fallback);
    }
}
