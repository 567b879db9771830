package dev.watchdog.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** What a bearer token may do; each role includes the ones before it. */
public enum Role {
    VIEWER, DEPLOYER, ONCALL, ADMIN;

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    @JsonCreator
    public static Role of(String name) {
        return Arrays.stream(values())
                .filter(r -> r.label().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown role '" + name + "' (expected viewer, deployer, oncall or admin)"));
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
