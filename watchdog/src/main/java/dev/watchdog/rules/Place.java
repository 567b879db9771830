package dev.watchdog.rules;

/** Where a rule is written: its file and the line its entry starts on. */
public record Place(String file, int line) {

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
