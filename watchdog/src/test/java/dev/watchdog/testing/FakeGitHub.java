package dev.watchdog.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for GitHub's issues API: {@code POST /repos/OWNER/NAME/issues} files an issue (201),
 * {@code GET} of the same path lists those filed, newest first. It can lose its answer to a POST
 * after filing (as a timeout would), and fail its lists.
 */
public final class FakeGitHub {

    /** A request as it arrived. */
    public record Call(String method, String path, MultiMap params, MultiMap headers, String body) {}

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    public final List<JsonObject> issues = new CopyOnWriteArrayList<>();
    /** How many of the next POSTs file the issue but answer 502. */
    public final AtomicInteger loseAnswers = new AtomicInteger();
    /** How many unrelated issues are filed (and so listed before it) right after each POST: to push it past a page. */
    public volatile int othersAfterEachPost;
    /** Lists answer with this status when it is not 200. */
    public volatile int listStatus = 200;
    private final Vertx vertx;
    private HttpServer server;

    public FakeGitHub(Vertx vertx) {
        this.vertx = vertx;
    }

    public FakeGitHub start() {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    public void close() {
        server.close().await();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            calls.add(new Call(request.method().name(), request.path(), MultiMap.caseInsensitiveMultiMap()
                    .addAll(request.params()), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body.toString()));
            if (!request.path().matches("/repos/[^/]+/[^/]+/issues")) {
                request.response().setStatusCode(404).end(new JsonObject().put("message", "Not Found").encode());
            } else if (request.method().name().equals("POST")) {
                file(request, body.toJsonObject());
            } else if (listStatus != 200) {
                request.response().setStatusCode(listStatus).end(new JsonObject().put("message", "Server Error").encode());
            } else {
                list(request);
            }
        });
    }

    /** Newest first, {@code per_page} (default 30, at most 100) a page, with GitHub's Link header to the next. */
    private void list(HttpServerRequest request) {
        int perPage = Math.min(100, Integer.parseInt(request.params().get("per_page") == null ? "30" : request.params().get("per_page")));
        int page = Integer.parseInt(request.params().get("page") == null ? "1" : request.params().get("page"));
        List<JsonObject> newestFirst = new java.util.ArrayList<>(issues);
        java.util.Collections.reverse(newestFirst);
        int from = Math.min(newestFirst.size(), (page - 1) * perPage);
        int to = Math.min(newestFirst.size(), from + perPage);
        if (to < newestFirst.size()) {
            String query = request.query().replaceAll("(^|&)page=[0-9]+", "");
            request.response().putHeader("Link", "<" + url() + request.path() + "?" + query + (query.isEmpty() ? "" : "&")
                    + "page=" + (page + 1) + ">; rel=\"next\", <" + url() + request.path() + "?page=999>; rel=\"last\"");
        }
        request.response().putHeader("Content-Type", "application/json").end(new JsonArray(newestFirst.subList(from, to)).encode());
    }

    private void file(HttpServerRequest request, JsonObject given) {
        JsonObject issue = given.copy().put("number", issues.size() + 1).put("state", "open");
        issues.add(issue);
        for (int i = 0; i < othersAfterEachPost; i++) {
            issues.add(new JsonObject().put("number", issues.size() + 1).put("title", "unrelated").put("body", "busy repo"));
        }
        if (loseAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            request.response().setStatusCode(502).end();
        } else {
            request.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(issue.encode());
        }
    }
}
