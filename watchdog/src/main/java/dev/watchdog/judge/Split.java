package dev.watchdog.judge;

import org.jspecify.annotations.Nullable;

/**
 * How a release's series tell the new version from the previous one: by {@code label}, {@code newer}
 * its value for the release's version, {@code older} for the previous version (null when the release
 * does not say which that is: no previous-version comparison then).
 */
public record Split(String label, String newer, @Nullable String older) {}
