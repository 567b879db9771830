package dev.watchdog.core;

/** The watchdog's version, as the jar's manifest gives it ("dev" when run from classes). */
public final class Version {

    private Version() {}

    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
