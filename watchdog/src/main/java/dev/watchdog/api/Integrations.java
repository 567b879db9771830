package dev.watchdog.api;

import dev.watchdog.action.Runner;
import dev.watchdog.config.Role;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.http.Http;
import dev.watchdog.report.DoraReport;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The routes of the tools where releases happen: Argo Rollouts' and Kargo's {@code web} metric
 * ({@code GET /api/v1/analysis}), Flagger's webhooks, and the signed requests of Slack, Telegram and
 * PagerDuty; and the DORA figures. Bearer routes go through the API's {@link Auth}; signed ones authenticate by their
 * signature. All fail through the API's one failure handler.
 */
public final class Integrations {

    private final Store store;
    private final Clock clock;
    private final Flagger flagger;
    private final SlackHook slack;
    private final TelegramHook telegram;
    private final PagerDutyHook pagerduty;

    /** {@code config}: the config in force (receivers, people), read at each request. */
    public Integrations(Vertx vertx, Runner runner, Store store, Supplier<WatchdogConfig> config,
                        Api.RegistrationRules registration, Clock clock) {
        Http http = new Http(vertx);
        Decisions decisions = new Decisions(runner);
        this.store = store;
        this.clock = clock;
        this.flagger = new Flagger(store, runner, registration);
        this.slack = new SlackHook(config, decisions, http, clock);
        this.telegram = new TelegramHook(config, decisions, http, clock);
        this.pagerduty = new PagerDutyHook(config, runner, clock);
    }

    /** Mounts every route; without integrations (a router only listed, as the OpenAPI test does) they answer 503. */
    static void mount(Router router, Auth auth, @Nullable Integrations in) {
        router.get("/api/v1/analysis").handler(auth.require(Role.VIEWER)).handler(with(in, Integrations::analysis));
        router.post("/api/v1/flagger/event").handler(auth.require(Role.DEPLOYER, Integrations::metadataToken))
                .handler(with(in, (it, ctx) -> it.flagger.event(ctx, Flagger.Canary.of(ctx.body().asJsonObject()))));
        router.post("/api/v1/flagger/rollback").handler(auth.require(Role.VIEWER, Integrations::metadataToken))
                .handler(with(in, (it, ctx) -> it.flagger.rollback(ctx, Flagger.Canary.of(ctx.body().asJsonObject()))));
        router.post("/api/v1/flagger/confirm-promotion").handler(auth.require(Role.VIEWER, Integrations::metadataToken))
                .handler(with(in, (it, ctx) -> it.flagger.confirmPromotion(ctx,
                        Flagger.Canary.of(ctx.body().asJsonObject()))));
        router.get("/api/v1/reports/dora").handler(auth.require(Role.VIEWER)).handler(with(in, Integrations::dora));
        router.post("/hooks/slack").handler(with(in, (it, ctx) -> it.slack.handle(ctx)));
        router.post("/hooks/telegram/:receiver").handler(with(in, (it, ctx) -> it.telegram.handle(ctx)));
        router.post("/hooks/pagerduty").handler(with(in, (it, ctx) -> it.pagerduty.handle(ctx)));
    }

    private static Handler<RoutingContext> with(@Nullable Integrations in, BiConsumer<Integrations, RoutingContext> handler) {
        return ctx -> {
            if (in == null) {
                throw new ApiException(503, "integrations are not wired", null);
            }
            handler.accept(in, ctx);
        };
    }

    /**
     * {@code GET /api/v1/analysis?service=&environment=&version=}: the release's gate for Argo
     * Rollouts' {@code web} metric provider ({@link Gate}); a release never registered is pending.
     */
    private void analysis(RoutingContext ctx) {
        String service = required(ctx, "service");
        String environment = required(ctx, "environment");
        String version = required(ctx, "version");
        String what = service + " " + version + " in " + environment;
        Future<JsonObject> gate = Lookup.find(store, service, environment, version).map(w -> {
            Gate g = Gate.of(w.orElse(null), what);
            return new JsonObject().put("status", g.status()).put("release", g.release()).put("reason", g.reason())
                    .put("state", w.map(x -> x.release().state().label()).orElse(null))
                    .put("verdict", w.map(x -> x.release().verdict() == null ? null : x.release().verdict().label())
                            .orElse(null));
        });
        Api.json(ctx, 200, gate);
    }

    /** {@code GET /api/v1/reports/dora?since=30d}: the DORA figures of the releases registered since. */
    private void dora(RoutingContext ctx) {
        java.time.Duration since = ctx.queryParams().get("since") == null ? java.time.Duration.ofDays(30)
                : Params.duration(ctx, "since", java.time.Duration.ofDays(365));
        java.time.Instant from = clock.instant().minus(since);
        Api.json(ctx, 200, DoraReport.of(store, from).map(rows -> new JsonObject()
                .put("since", from.toString()).put("rows", new io.vertx.core.json.JsonArray(
                        rows.stream().map(r -> JsonObject.mapFrom(r)).toList()))));
    }

    private static String required(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value == null || value.isBlank() || value.length() > 256) {
            throw ApiException.badInput(name, name + " is required (at most 256 characters)");
        }
        return value;
    }

    /** Flagger sends no headers of ours: its token comes in the payload's {@code metadata.token}. */
    private static @Nullable String metadataToken(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().asJsonObject();
            Object token = body == null ? null : body.getJsonObject("metadata", new JsonObject()).getValue("token");
            return token instanceof String s ? s : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }
}
