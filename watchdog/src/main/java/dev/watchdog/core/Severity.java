package dev.watchdog.core;

/** How bad a rule's condition is; ordered, so that the worst can be taken with max. */
public enum Severity {
    NONE, P1, P0;

    public Severity worst(Severity other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
