package dev.watchdog.rules;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Every rule the daemon judges, loaded together. */
public record RuleSet(List<Rule> rules) {

    public RuleSet {
        rules = List.copyOf(rules);
    }

    public Optional<Rule> byName(String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** Every template variable any rule's expr or guard uses. */
    public Set<String> variables() {
        Set<String> all = new TreeSet<>();
        for (Rule rule : rules) {
            rule.templates().forEach(t -> all.addAll(t.variables()));
        }
        all.remove(Template.WINDOW);
        return all;
    }

    /** The shortest interval any group asks for, or the default. */
    public Duration shortestInterval(Duration fallback) {
        return rules.stream()
                .map(r -> r.interval().orElse(fallback))
                .min(Duration::compareTo)
                .orElse(fallback);
    }
}
