package dev.watchdog.action;

import dev.watchdog.config.Receiver.GitHub;
import dev.watchdog.config.WatchdogConfig.Retry;
import dev.watchdog.core.Failures;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Files a release's incident report as a GitHub issue. GitHub takes no idempotency key, so the
 * notification's key is written into the issue's body, and before every attempt (a retry, or a
 * restart that resumes the outbox) the repository's recent issues are searched for it: a report is
 * filed once. If that search fails, nothing is filed (rather than maybe twice) and the delivery fails.
 */
final class GitHubIssues {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** GitHub refuses an issue body over 65536 characters. */
    static final int MAX_BODY = 65_000;
    /** How far before the notice an issue filed for it may have been touched (clocks differ). */
    private static final Duration LOOK_BACK = Duration.ofHours(1);
    /** At 100 a page, 2,000 issues touched within the look-back: more is a failed search, not an endless one. */
    private static final int MAX_PAGES = 20;

    private final Http http;
    private final WebhookSender sender;
    private final Function<String, Future<String>> reports;

    GitHubIssues(Vertx vertx, WebhookSender sender, Function<String, Future<String>> reports) {
        this.http = new Http(vertx);
        this.sender = sender;
        this.reports = reports;
    }

    /** What the last search for an earlier issue found: one per delivery. */
    private static final class Search {
        boolean filed;
        String error;
    }

    Future<WebhookSender.Delivery> file(Notification n, GitHub g, Retry retry, Supplier<Future<Boolean>> wanted) {
        Search search = new Search();
        return reports.apply(n.releaseId()).transform(report -> report.failed()
                ? Future.succeededFuture(new WebhookSender.Delivery(false, 0, 0, "the incident report could not be written"))
                : sender.deliver(new WebhookSender.Post("github", g.apiUrl() + "/repos/" + g.repo() + "/issues", headers(g),
                        null, TIMEOUT, retry, n.key(), Buffer.buffer(issue(n, g, report.result()).encode()),
                        () -> wanted.get().compose(w -> w ? notFiled(n, g, search) : Future.succeededFuture(false)))))
                .map(d -> !d.dropped() ? d : search.filed ? new WebhookSender.Delivery(true, d.attempts(), 0, null)
                        : search.error != null ? new WebhookSender.Delivery(false, d.attempts(), 0, search.error) : d);
    }

    /** True when no issue carries the notification's key; the answer is kept in {@code search}. */
    private Future<Boolean> notFiled(Notification n, GitHub g, Search search) {
        String first = Http.Request.get(g.apiUrl() + "/repos/" + g.repo() + "/issues", TIMEOUT).query("state", "all")
                .query("per_page", "100").query("since", n.createdAt().minus(LOOK_BACK).toString()).url();
        return filed(first, n, g, 1).map(found -> {
            search.filed = found;
            search.error = null;
            return !found;
        }).otherwise(e -> {
            search.error = "could not look for an issue filed earlier, so none was filed: "
                    + (e instanceof IllegalStateException || e instanceof Http.Failure ? e.getMessage() : Failures.describe(e));
            return false;
        });
    }

    /**
     * Whether an issue on this page of the list, or on a later one, carries the key: GitHub gives
     * 100 a page, and the next page's address in its Link header. A busy repository can have more
     * than 100 issues touched since the notice; past {@link #MAX_PAGES} the search fails.
     */
    private Future<Boolean> filed(String url, Notification n, GitHub g, int page) {
        Http.Request request = new Http.Request(HttpMethod.GET, url, null, null, TIMEOUT, 16 << 20);
        for (Map.Entry<String, Secret> header : headers(g).entrySet()) {
            request = request.header(header.getKey(), header.getValue().value());
        }
        return http.send(request).compose(response -> {
            if (response.status() != 200) {
                throw new IllegalStateException("HTTP " + response.status());
            }
            boolean found = response.body().toJsonArray().stream().filter(JsonObject.class::isInstance)
                    .map(JsonObject.class::cast).anyMatch(i -> String.valueOf(i.getString("body")).contains(marker(n)));
            String next = next(response.header("Link"));
            if (found || next == null) {
                return Future.succeededFuture(found);
            }
            if (page >= MAX_PAGES || !next.startsWith(g.apiUrl() + "/")) {
                throw new IllegalStateException(page >= MAX_PAGES ? "more than " + MAX_PAGES + " pages of issues to search"
                        : "GitHub's next page is on another host");
            }
            return filed(next, n, g, page + 1);
        });
    }

    /** The {@code rel="next"} address of a Link header, or null. */
    static String next(String link) {
        if (link == null) {
            return null;
        }
        for (String part : link.split(",")) {
            int open = part.indexOf('<');
            int close = part.indexOf('>');
            if (open >= 0 && close > open && part.substring(close).replace(" ", "").contains("rel=\"next\"")) {
                return part.substring(open + 1, close);
            }
        }
        return null;
    }

    static JsonObject issue(Notification n, GitHub g, String report) {
        Message m = n.message();
        String what = n.kind() == Notice.Kind.ROLLED_BACK ? "rolled back" : "rollback failed";
        String title = "Post-mortem: " + m.service() + " " + m.version() + " (" + m.environment() + ") " + what + " on "
                + n.createdAt().atZone(ZoneOffset.UTC).toLocalDate();
        String end = "\n\n<!-- " + marker(n) + " -->\n";
        String body = report.length() + end.length() <= MAX_BODY ? report
                : report.substring(0, MAX_BODY - end.length() - 200) + "\n\n[cut: the whole report is at GET /api/v1/releases/"
                        + n.releaseId() + "/report]";
        JsonObject issue = new JsonObject().put("title", title).put("body", body + end);
        if (!g.labels().isEmpty()) {
            issue.put("labels", new JsonArray(g.labels()));
        }
        return issue;
    }

    /** What ties an issue to the notification that filed it. */
    static String marker(Notification n) {
        return "release-watchdog key: " + n.key();
    }

    private static Map<String, Secret> headers(GitHub g) {
        return Map.of("Authorization", Notifier.bearer(g.token()), "Accept", new Secret("application/vnd.github+json"),
                "X-GitHub-Api-Version", new Secret("2022-11-28"));
    }
}
