package dev.watchdog.rules;

import java.util.List;
import java.util.stream.Collectors;

/** Rule files could not be loaded; carries every problem found. */
public final class RuleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;
    private final transient List<Rule> loaded;

    public RuleException(List<Problem> problems) {
        this(problems, List.of());
    }

    /** {@code loaded}: the rules that had no problem of their own, for checks that go on (PromQL). */
    public RuleException(List<Problem> problems, List<Rule> loaded) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
        this.loaded = List.copyOf(loaded);
    }

    public List<Problem> problems() {
        return problems;
    }

    public List<Rule> loaded() {
        return loaded;
    }
}
