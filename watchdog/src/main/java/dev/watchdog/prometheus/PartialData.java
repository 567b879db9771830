package dev.watchdog.prometheus;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A successful answer that carried {@code warnings}: Thanos or Mimir answering from part of their
 * stores. Its series may be missing some: judging them could raise a false breach or a false
 * recovery, so it is nothing to judge. The message is the warnings, sanitized and shortened: they
 * are another server's words and may name its URLs.
 */
public final class PartialData extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final int MAX_LENGTH = 200;
    private static final Pattern CREDENTIALS = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]*@");
    private static final Pattern QUERY = Pattern.compile("(?i)(https?://[^\\s?]*)\\?\\S*");

    PartialData(List<String> warnings) {
        super("partial data from Prometheus: " + sanitize(String.join("; ", warnings)));
    }

    /** Control characters gone, credentials and query strings cut out of URLs, at most 200 characters. */
    static String sanitize(String text) {
        String plain = text.replaceAll("\\p{Cntrl}+", " ").replaceAll("\\s+", " ").trim();
        String safe = QUERY.matcher(CREDENTIALS.matcher(plain).replaceAll("$1")).replaceAll("$1");
        return safe.length() <= MAX_LENGTH ? safe : safe.substring(0, MAX_LENGTH - 1) + "…";
    }
}
