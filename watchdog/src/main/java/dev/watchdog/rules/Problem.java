package dev.watchdog.rules;

import org.jspecify.annotations.Nullable;

/** One thing wrong with a rule file, where it is. */
public record Problem(String file, int line, @Nullable String rule, String message) {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + (rule == null ? "" : "rule " + rule + ": ") + message;
    }
}
