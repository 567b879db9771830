package dev.watchdog.receiver;

import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one answer means for a delivery: delivered (2xx), worth another attempt (429 and 5xx, after
 * the wait a {@code Retry-After} asks for), or final (any other status, a 3xx included: redirects
 * are not followed). {@code error} says why in the peer's words where they are safe to keep.
 */
public record Reading(int status, boolean retryable, Optional<Duration> retryAfter, @Nullable String error) {

    public boolean delivered() {
        return status / 100 == 2;
    }

    /** The reading of any HTTP peer: by status and {@code Retry-After}; {@code detail} added to the error. */
    public static Reading of(Http.Response response, Clock clock, @Nullable String detail) {
        int status = response.status();
        String error = status / 100 == 2 ? null
                : "HTTP " + status + (status / 100 == 3 ? " (redirects are not followed)" : "")
                        + (detail == null || detail.isBlank() ? "" : ": " + detail);
        return new Reading(status, status == 429 || status >= 500, retryAfter(response.header("Retry-After"), clock),
                error);
    }

    public static Reading of(Http.Response response, Clock clock) {
        return of(response, clock, null);
    }

    /** No answer at all (a refused connection, a deadline run out): worth another attempt. */
    public static Reading failed(@Nullable String why) {
        return new Reading(0, true, Optional.empty(), why);
    }

    /** The same reading, with any of {@code secrets} the peer echoed in its words masked. */
    public Reading masking(List<Secret> secrets) {
        String masked = error;
        for (Secret secret : secrets) {
            masked = masked == null ? null : secret.mask(masked);
        }
        return new Reading(status, retryable, retryAfter, masked);
    }

    /** The same reading, waiting as long as {@code wait} asks when the header said nothing. */
    public Reading orWait(Optional<Duration> wait) {
        return retryAfter.isPresent() ? this : new Reading(status, retryable, wait, error);
    }

    /** For the metric of attempts: delivered, rate_limited, server_error, rejected, network_error. */
    public String outcome() {
        return status == 0 ? "network_error" : status / 100 == 2 ? "delivered"
                : status == 429 ? "rate_limited" : status >= 500 ? "server_error" : "rejected";
    }

    /** {@code Retry-After} as seconds or as an HTTP date; empty if absent or unreadable. */
    public static Optional<Duration> retryAfter(@Nullable String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim()))));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(clock.instant(), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
