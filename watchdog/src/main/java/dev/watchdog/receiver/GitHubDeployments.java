package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * GitHub deployment statuses: the deployment a release was registered with (its label
 * {@code github_deployment}, the deployment's id; {@code github_repository}, OWNER/NAME, where it
 * is not {@code repo}) is {@code in_progress} while watched, {@code success} at the all clear,
 * {@code failure} when rolled back or when the rollback failed, {@code error} when unjudged (nobody
 * could judge it: not a success), {@code inactive} when superseded; each with {@code log_url} the
 * release on the on-call page. A release without the label is not GitHub's: nothing is sent.
 * Optional: repo (default: the label's), apiUrl (default https://api.github.com).
 */
public record GitHubDeployments(@Nullable String repo, Secret token, String apiUrl) implements Channel {

    public static final String DEPLOYMENT = "github_deployment";
    public static final String REPOSITORY = "github_repository";
    /** GitHub refuses a description over 140 characters. */
    static final int DESCRIPTION = 140;
    private static final String OWNER_NAME = "[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+";
    static final Map<Kind, String> STATES = new EnumMap<>(Map.of(Kind.WATCHING, "in_progress", Kind.ALL_CLEAR, "success",
            Kind.ROLLED_BACK, "failure", Kind.ROLLBACK_FAILED, "failure", Kind.UNJUDGED, "error",
            Kind.SUPERSEDED, "inactive"));

    public GitHubDeployments {
        if (repo != null && !repo.matches(OWNER_NAME)) {
            throw new IllegalArgumentException("githubDeployments.repo must be OWNER/NAME");
        }
        Objects.requireNonNull(token, "githubDeployments.token is required");
        apiUrl = Checks.url(apiUrl == null ? "https://api.github.com" : apiUrl, "githubDeployments.apiUrl");
    }

    @Override
    public List<Secret> secrets() {
        return List.of(token);
    }

    @Override
    public String kind() {
        return "githubDeployments";
    }

    @Override
    public boolean takes(Kind kind, Incident.@Nullable Cause cause) {
        return STATES.containsKey(kind);
    }

    /** None for a release that names no deployment, or no repository: it is not GitHub's to hear. */
    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        Map<String, String> labels = n.message().labels();
        String id = labels.get(DEPLOYMENT);
        String repository = labels.getOrDefault(REPOSITORY, repo);
        if (id == null || !id.matches("\\d{1,20}") || repository == null || !repository.matches(OWNER_NAME)) {
            return List.of();
        }
        String path = apiUrl + "/repos/" + repository + "/deployments/" + id + "/statuses";
        return List.of(Http.Request.post(path, Buffer.buffer(status(n).encode()), TIMEOUT)
                .header("Authorization", "Bearer " + token.value()).header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28"));
    }

    /** The deployment status: state, log_url, a description of at most 140 characters, environment. */
    static JsonObject status(Notification n) {
        Message m = n.message();
        JsonObject status = new JsonObject().put("state", STATES.get(n.kind()))
                .put("description", description(m.title())).put("environment", m.environment())
                .put("auto_inactive", false);
        if (m.link() != null) {
            status.put("log_url", m.link());
        }
        return status;
    }

    static String description(String title) {
        return title.length() <= DESCRIPTION ? title : title.substring(0, DESCRIPTION - 1) + "…";
    }

    /**
     * GitHub's rate limits: 429, or 403 with {@code x-ratelimit-remaining: 0}, are worth waiting for,
     * {@code retry-after} seconds, else until {@code x-ratelimit-reset} (epoch seconds).
     */
    @Override
    public Reading read(Http.Response response, Clock clock) {
        Reading plain = Reading.of(response, clock);
        boolean limited = response.status() == 429 || (response.status() == 403
                && ("0".equals(response.header("x-ratelimit-remaining")) || response.header("retry-after") != null));
        if (!limited) {
            return plain;
        }
        Optional<Duration> wait = plain.retryAfter().isPresent() ? plain.retryAfter() : untilReset(response, clock);
        return new Reading(response.status(), true, wait, "rate limited by GitHub (HTTP " + response.status() + ")");
    }

    private static Optional<Duration> untilReset(Http.Response response, Clock clock) {
        String reset = response.header("x-ratelimit-reset");
        if (reset == null || !reset.matches("\\d{1,12}")) {
            return Optional.empty();
        }
        Duration wait = Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(reset)));
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }
}
