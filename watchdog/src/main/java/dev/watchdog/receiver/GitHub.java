package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * GitHub's REST API: the incident report filed as an issue of {@code repo} ({@code owner/name}) when
 * an incident ends with a rollback, or when on-call takes over a failed one. GitHub takes no
 * idempotency key, so the notification's key is written into the issue's body, and before every
 * attempt the repository's issues touched since shortly before the notice are searched for it, page
 * after page. Optional: apiUrl (default https://api.github.com; GitHub Enterprise Server:
 * https://HOST/api/v3), labels (default none).
 */
public record GitHub(String repo, Secret token, String apiUrl, List<String> labels) implements Channel {

    /** GitHub refuses an issue body over 65536 characters. */
    static final int MAX_BODY = 65_000;
    /** How far before the notice an issue filed for it may have been touched (clocks differ). */
    private static final Duration LOOK_BACK = Duration.ofHours(1);
    /** The search reads at most this many pages of 100 issues. */
    private static final int PAGES = 10;
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");

    public GitHub {
        if (repo == null || !repo.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("github.repo must be OWNER/NAME");
        }
        Objects.requireNonNull(token, "github.token is required");
        apiUrl = Checks.url(apiUrl == null ? "https://api.github.com" : apiUrl, "github.apiUrl");
        labels = labels == null ? List.of() : List.copyOf(labels);
    }

    @Override
    public List<Secret> secrets() {
        return List.of(token);
    }

    @Override
    public String kind() {
        return "github";
    }

    /** The end of an incident by a rollback: rolled back, or a failed rollback that a person took over. */
    @Override
    public boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause) {
        return kind == Notice.Kind.ROLLED_BACK || (kind == Notice.Kind.ACCEPTED && cause == Incident.Cause.ROLLBACK_FAILED);
    }

    @Override
    public boolean filesReport() {
        return true;
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        Buffer body = Buffer.buffer(issue(n, report == null ? "" : report).encode());
        return List.of(Http.Request.post(apiUrl + "/repos/" + repo + "/issues", body, TIMEOUT).headers(headers()));
    }

    @Override
    public Future<Boolean> deliveredBefore(Notification n, Http http) {
        Http.Request first = Http.Request.get(apiUrl + "/repos/" + repo + "/issues", TIMEOUT).maxAnswer(16 << 20)
                .query("state", "all").query("per_page", "100").query("sort", "created").query("direction", "desc")
                .query("since", n.createdAt().minus(LOOK_BACK).toString()).headers(headers());
        return search(http, first, n, PAGES);
    }

    private Future<Boolean> search(Http http, Http.Request page, Notification n, int pagesLeft) {
        return http.send(page).compose(response -> {
            if (response.status() != 200) {
                return Future.failedFuture(new IllegalStateException("HTTP " + response.status()));
            }
            boolean found = response.body().toJsonArray().stream().filter(JsonObject.class::isInstance)
                    .map(JsonObject.class::cast).anyMatch(i -> String.valueOf(i.getValue("body")).contains(marker(n)));
            String next = next(response.header("Link"));
            return found || next == null || pagesLeft <= 1 ? Future.succeededFuture(found)
                    : search(http, Http.Request.get(next, TIMEOUT).maxAnswer(16 << 20).headers(headers()), n, pagesLeft - 1);
        });
    }

    /** The {@code rel="next"} page of a Link header, if it is on the same API. */
    private @Nullable String next(@Nullable String link) {
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        return m.find() && m.group(1).startsWith(apiUrl + "/") ? m.group(1) : null;
    }

    JsonObject issue(Notification n, String report) {
        Message m = n.message();
        String what = n.kind() == Notice.Kind.ROLLED_BACK ? "rolled back" : "rollback failed";
        String title = "Post-mortem: " + m.service() + " " + m.version() + " (" + m.environment() + ") " + what + " on "
                + n.createdAt().atZone(ZoneOffset.UTC).toLocalDate();
        String end = "\n\n<!-- " + marker(n) + " -->\n";
        String body = report.length() + end.length() <= MAX_BODY ? report
                : report.substring(0, MAX_BODY - end.length() - 200) + "\n\n[cut: the whole report is at GET /api/v1/releases/"
                        + n.releaseId() + "/report]";
        JsonObject issue = new JsonObject().put("title", title).put("body", body + end);
        if (!labels.isEmpty()) {
            issue.put("labels", new JsonArray(labels));
        }
        return issue;
    }

    /** What ties an issue to the notification that filed it. */
    static String marker(Notification n) {
        return "release-watchdog key: " + n.key();
    }

    private Map<String, String> headers() {
        return Map.of("Authorization", "Bearer " + token.value(), "Accept", "application/vnd.github+json",
                "X-GitHub-Api-Version", "2022-11-28");
    }
}
