package dev.watchdog.core;

/** How a rule's value is shown; never what a number means. */
public enum Unit { RATIO, PERCENT, SECONDS, COUNT, BYTES, NONE }
