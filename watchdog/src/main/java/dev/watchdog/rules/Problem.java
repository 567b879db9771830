package dev.watchdog.rules;

/** One thing wrong with a rule file, where it is. */
public record Problem(String file, int line, String rule, String message) {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + (rule == null ? "" : "rule " + rule + ": ") + message;
    }
}
