package dev.watchdog.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Finding a person by who they are in a chat or a pager; one id belongs to one person. */
public final class People {

    private People() {}

    /** Refuses a Slack, Telegram or PagerDuty id given to two people, naming both. */
    static void check(Map<String, Person> people) {
        unique(people, Person::slack, "slack");
        unique(people, Person::telegram, "telegram");
        unique(people, Person::pagerduty, "pagerduty");
    }

    private static void unique(Map<String, Person> people, Function<Person, @Nullable String> id, String what) {
        Map<String, String> seen = new HashMap<>();
        people.forEach((name, p) -> {
            String value = id.apply(p);
            String before = value == null ? null : seen.putIfAbsent(value, name);
            if (before != null) {
                throw new IllegalArgumentException("people." + name + "." + what + " is also people." + before + "."
                        + what + ": one id is one person");
            }
        });
    }

    /** The person (name and settings) whose id there is {@code id}. */
    public static Optional<Map.Entry<String, Person>> find(Map<String, Person> people,
                                                         Function<Person, @Nullable String> there, String id) {
        return people.entrySet().stream().filter(e -> id.equals(there.apply(e.getValue()))).findFirst();
    }
}
