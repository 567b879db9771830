package dev.watchdog.rules;

import java.util.List;
import java.util.stream.Collectors;

/** Rule files could not be loaded; carries every problem found. */
public final class RuleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public RuleException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
