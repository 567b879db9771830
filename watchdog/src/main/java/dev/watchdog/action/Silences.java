package dev.watchdog.action;

import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.http.Failures;
import dev.watchdog.http.Http;
import dev.watchdog.machine.Effect;
import dev.watchdog.receiver.Alertmanager;
import dev.watchdog.receiver.Reading;
import dev.watchdog.receiver.Retry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Silences at Alertmanager (API v2) for a deploy's expected noise: made at registration until the
 * bake ends, expired early on a rollback or an end. Every silence carries the release's id and the
 * watchdog as its author, so expiring needs no remembered id: every active silence the watchdog made
 * for the release is expired, whatever happened to earlier answers.
 */
public final class Silences {

    static final String AUTHOR = "release-watchdog";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Five attempts, 1s to 5s apart. */
    private static final Retry RETRY = new Retry(5, Duration.ofSeconds(1), Duration.ofSeconds(5));

    private final Http http;
    private final WebhookSender sender;
    private final Supplier<WatchdogConfig> config;
    private final Clock clock;

    public Silences(Vertx vertx, WebhookSender sender, Supplier<WatchdogConfig> config, Clock clock) {
        this.http = new Http(vertx);
        this.sender = sender;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Makes or expires, with the retries every effect has; {@code before} is asked before each attempt
     * (the leader's fence). The future always succeeds.
     */
    public Future<WebhookSender.Delivery> perform(Effect effect,
                                                  Supplier<Future<Optional<WebhookSender.Delivery>>> before) {
        String url = url(effect instanceof Effect.Silence s ? s.alertmanager() : ((Effect.Unsilence) effect).alertmanager());
        if (url == null) {
            return Future.succeededFuture(new WebhookSender.Delivery(false, 0, 0, "no alertmanager receiver for it"));
        }
        return sender.attempts("silence", RETRY, effect.id(), before, () -> (effect instanceof Effect.Silence s
                ? create(url, s) : expire(url, (Effect.Unsilence) effect)).transform(ar -> Future.succeededFuture(
                        ar.succeeded() ? new Reading(200, false, Optional.empty(), null)
                                : Reading.failed(ar.cause().getMessage()))));
    }

    private Future<Void> create(String url, Effect.Silence s) {
        JsonArray matchers = new JsonArray();
        s.matchers().forEach(m -> matchers.add(new JsonObject().put("name", m.name()).put("value", m.value())
                .put("isRegex", m.isRegex()).put("isEqual", m.isEqual())));
        JsonObject body = new JsonObject().put("matchers", matchers).put("startsAt", clock.instant().toString())
                .put("endsAt", s.until().toString()).put("createdBy", AUTHOR).put("comment", s.comment());
        return expect(http.send(Http.Request.post(url + "/api/v2/silences", Buffer.buffer(body.encode()), TIMEOUT)))
                .mapEmpty();
    }

    /** Every silence still in force that the watchdog made for the release. */
    private Future<Void> expire(String url, Effect.Unsilence u) {
        return expect(http.send(Http.Request.get(url + "/api/v2/silences", TIMEOUT).maxAnswer(16 << 20))).compose(r -> {
            List<String> ids = r.body().toJsonArray().stream().map(JsonObject.class::cast)
                    .filter(o -> AUTHOR.equals(o.getString("createdBy")))
                    .filter(o -> o.getString("comment", "").contains("(release " + u.releaseId() + ")"))
                    .filter(o -> !"expired".equals(o.getJsonObject("status", new JsonObject()).getString("state")))
                    .map(o -> o.getString("id")).toList();
            return Future.all(ids.stream().map(id -> expect(http.send(new Http.Request(HttpMethod.DELETE,
                    url + "/api/v2/silence/" + id, Map.of(), null, TIMEOUT, Http.SMALL_ANSWER)))).toList()).mapEmpty();
        });
    }

    private static Future<Http.Response> expect(Future<Http.Response> request) {
        return request.recover(e -> Future.failedFuture(e instanceof Http.Failure ? e.getMessage() : Failures.describe(e)))
                .compose(r -> r.status() / 100 == 2 ? Future.succeededFuture(r) : Future.failedFuture("HTTP " + r.status()));
    }

    private @Nullable String url(String receiver) {
        Receiver r = config.get().receivers().get(receiver);
        return r != null && r.channel() instanceof Alertmanager a ? a.url() : null;
    }
}
