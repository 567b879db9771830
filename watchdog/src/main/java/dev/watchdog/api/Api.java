package dev.watchdog.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchdog.action.Runner;
import dev.watchdog.config.ConfigException;
import dev.watchdog.config.Role;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Json;
import dev.watchdog.core.Release;
import dev.watchdog.machine.Effect;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.release.FieldText;
import dev.watchdog.release.Registration;
import dev.watchdog.release.ReleaseException;
import dev.watchdog.report.Reports;
import dev.watchdog.rules.RuleException;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.store.FencedException;
import dev.watchdog.store.Store;
import dev.watchdog.store.StoreException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** The HTTP API of the contract, and the one place where failures become statuses. */
public final class Api {

    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final int MAX_REASON = 2_000;
    /** The longest {@code verdict?wait=}: a waiter holds a connection, and polls the store every second. */
    static final Duration MAX_WAIT = Duration.ofMinutes(30);

    private final Runner runner;
    private final Store store;
    private final Supplier<RuleSet> rules;
    private final RegistrationRules registration;
    private final WatchdogMetrics metrics;
    private final BooleanSupplier ready;
    private final Supplier<Future<JsonObject>> reload;
    private final Supplier<Map<String, Object>> status;
    private @Nullable Integrations integrations;

    /** Validates a registration against the config and rules in force, and makes the release. */
    @FunctionalInterface
    public interface RegistrationRules {
        Release apply(Registration registration);
    }

    /** {@code status}: who this replica is and whether it leads, for GET /api/v1/status. */
    public Api(Runner runner, Store store, Supplier<RuleSet> rules, RegistrationRules registration,
               WatchdogMetrics metrics, BooleanSupplier ready, Supplier<Future<JsonObject>> reload,
               Supplier<Map<String, Object>> status) {
        this.status = status;
        this.runner = runner;
        this.store = store;
        this.rules = rules;
        this.registration = registration;
        this.metrics = metrics;
        this.ready = ready;
        this.reload = reload;
    }

    /** The routes of delivery tools and chats (mounted in any case; without them they answer 503). */
    public Api with(Integrations in) {
        this.integrations = in;
        return this;
    }

    /**
     * {@code server}: the server's config in force; its tokens and proxy are read at each request (a
     * reload may change them), its body limit once. {@code clock} times refused tokens.
     */
    public Router router(Vertx vertx, Clock clock, Supplier<WatchdogConfig.Server> server) {
        Auth auth = new Auth(server, clock);
        Router router = Router.router(vertx);
        router.route().handler(Api::noSniffNoStore);
        router.route().handler(BodyHandler.create(false).setBodyLimit(server.get().maxBodyBytes()));
        router.get("/healthz").handler(ctx -> ctx.response().end("ok\n"));
        router.get("/readyz").handler(ctx -> ctx.response().setStatusCode(ready.getAsBoolean() ? 200 : 503)
                .end(ready.getAsBoolean() ? "ready\n" : "not ready\n"));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", metrics.contentType()).end(metrics.scrape(ctx.queryParam("name[]"))));
        router.post("/-/reload").handler(auth.require(Role.ADMIN)).handler(ctx -> json(ctx, 200, reload.get()));

        router.get("/api/v1/status").handler(auth.require(Role.VIEWER))
                .handler(ctx -> json(ctx, 200, Future.succeededFuture(status.get())));
        String base = "/api/v1/releases";
        router.post(base).handler(auth.require(Role.DEPLOYER)).handler(this::register);
        router.get(base).handler(auth.require(Role.VIEWER)).handler(this::list);
        router.get(base + "/:id").handler(auth.require(Role.VIEWER))
                .handler(ctx -> json(ctx, 200, runner.watch(id(ctx)).map(this::view)));
        router.get(base + "/:id/events").handler(auth.require(Role.VIEWER))
                .handler(ctx -> json(ctx, 200, runner.watch(id(ctx)).compose(w -> store.events(w.id()))
                        .map(Json.MAPPER::valueToTree)));
        router.get(base + "/:id/notifications").handler(auth.require(Role.VIEWER))
                .handler(ctx -> json(ctx, 200, runner.watch(id(ctx)).compose(w -> store.outbox(w.id()))
                        .map(all -> all.stream().filter(e -> e.effect() instanceof Effect.Notify)
                                .map(Views::notification).toList())));
        router.get(base + "/:id/verdict").handler(auth.require(Role.VIEWER)).handler(this::verdict);
        router.post(base + "/:id/finish").handler(auth.require(Role.DEPLOYER))
                .handler(ctx -> decide(ctx, Input.Finish::new));
        router.post(base + "/:id/ack").handler(auth.require(Role.ONCALL)).handler(ctx -> decide(ctx, Input.Ack::new));
        router.post(base + "/:id/accept").handler(auth.require(Role.ONCALL))
                .handler(ctx -> decide(ctx, Input.Accept::new));
        router.post(base + "/:id/rollback").handler(auth.require(Role.ONCALL))
                .handler(ctx -> decide(ctx, Input.DecideRollback::new));
        router.delete(base + "/:id").handler(auth.require(Role.DEPLOYER)).handler(ctx -> decide(ctx, Input.Cancel::new));
        router.get(base + "/:id/report").handler(auth.require(Role.VIEWER)).handler(ctx -> new Reports(store)
                .of(id(ctx), rules.get()).onFailure(ctx::fail)
                .onSuccess(md -> ctx.response().putHeader("Content-Type", "text/markdown; charset=utf-8").end(md)));
        Integrations.mount(router, auth, integrations);
        OpenApi.mount(router);
        router.route("/api/*").handler(ctx -> ctx.fail(new ApiException(404, "no such route", null)));
        Page.mount(router);
        router.route().failureHandler(Api::failure);
        return router;
    }

    /**
     * Every answer is what it says it is (no sniffing a JSON error into HTML) and is kept by no cache:
     * it may hold a release's state or a decision. The page's files set their own caching as they leave.
     */
    private static void noSniffNoStore(RoutingContext ctx) {
        ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Cache-Control", "no-store");
        ctx.next();
    }

    private void register(RoutingContext ctx) {
        Registration body = body(ctx, Registration.class);
        if (body == null) {
            throw ApiException.badInput(null, "a JSON body is required");
        }
        inScope(ctx, body.service(), body.environment());
        Future.succeededFuture(body)
                .map(registration::apply)
                .compose(runner::register)
                .map(this::view)
                .onSuccess(view -> ctx.response().setStatusCode(201)
                        .putHeader("Location", "/api/v1/releases/" + view.get("id").asText())
                        .putHeader("Content-Type", "application/json").end(Json.write(view)))
                .onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        String stateParam = ctx.queryParams().get("state");
        Release.State state = stateParam == null ? null : Arrays.stream(Release.State.values())
                .filter(s -> s.label().equals(stateParam)).findFirst()
                .orElseThrow(() -> ApiException.badInput("state", "unknown state '" + stateParam + "'"));
        int limit = Params.integer(ctx, "limit", 100, 1, 1000);
        Store.Filter filter = new Store.Filter(state, ctx.queryParams().get("service"), ctx.queryParams().get("environment"));
        json(ctx, 200, store.list(filter, limit).map(list -> list.stream().map(this::view).toList()));
    }

    private void verdict(RoutingContext ctx) {
        Duration wait = Params.duration(ctx, "wait", MAX_WAIT);
        Promise<Void> gone = Promise.promise();
        ctx.response().closeHandler(v -> gone.tryComplete());
        if (ctx.response().closed()) {
            gone.tryComplete();
        }
        Future<ObjectNode> judged = runner.awaitJudged(id(ctx), wait, gone.future()).map(this::view);
        // A client that went away is answered by nobody: its waiter just ends.
        json(ctx, 200, judged.recover(e -> gone.future().isComplete() ? Promise.<ObjectNode>promise().future()
                : Future.failedFuture(e)));
    }

    /**
     * A decision by whoever holds the token, with an optional {@code {"reason": "...", "as": "alice"}}
     * body: {@code as} names the person behind a shared token, recorded as "alice via TOKEN".
     */
    private void decide(RoutingContext ctx, BiFunction<String, String, Input> decision) {
        Decision body = body(ctx, Decision.class);
        String reason = body == null ? null : body.reason();
        String problem = reason == null ? null : FieldText.freeTextProblem(reason, MAX_REASON);
        if (problem != null) {
            throw ApiException.badInput("reason", "reason " + problem);
        }
        String as = body == null ? null : body.as();
        if (as != null && !as.matches("[\\p{L}\\p{N}][\\p{L}\\p{N} ._@-]{0,63}")) {
            throw ApiException.badInput("as", "as must be a person's name: 1 to 64 letters, digits, spaces, . _ @ -");
        }
        Auth.Principal who = Auth.who(ctx);
        String name = as == null || as.equals(who.name()) ? who.name() : as + " via " + who.name();
        json(ctx, 200, runner.watch(id(ctx))
                .compose(w -> {
                    inScope(ctx, w.release().service(), w.release().environment());
                    return runner.decide(w.id(), decision.apply(name, reason));
                })
                .map(this::view));
    }

    /**
     * A scoped token acts only on its services and environments: 403 naming its scope otherwise.
     * Reading is not scoped.
     */
    static void inScope(RoutingContext ctx, @Nullable String service, @Nullable String environment) {
        Auth.Principal who = Auth.who(ctx);
        if (who.scope() != null && service != null && environment != null && !who.scope().allows(service, environment)) {
            throw new ApiException(403, "token " + who.name() + " is limited to " + who.scope().describe() + "; "
                    + FieldText.excerpt(service) + " in " + FieldText.excerpt(environment) + " is outside it", null);
        }
    }

    /** The optional body of a decision. */
    record Decision(@Nullable String reason, @Nullable String as) {}

    private ObjectNode view(Watch w) {
        return Views.release(w, rules.get());
    }

    /** The request's JSON body read strictly ({@link JsonBody}), or null when it has none. */
    private static <T extends Record> @Nullable T body(RoutingContext ctx, Class<T> type) {
        Buffer bytes = ctx.body().buffer();
        return JsonBody.read(ctx.request().getHeader("Content-Type"), bytes == null ? new byte[0] : bytes.getBytes(), type);
    }

    private static String id(RoutingContext ctx) {
        return ctx.pathParam("id");
    }

    static void json(RoutingContext ctx, int status, Future<?> result) {
        result.onSuccess(value -> ctx.response().setStatusCode(status)
                        .putHeader("Content-Type", "application/json")
                        .end(value instanceof JsonObject j ? j.encode() : Json.write(value)))
                .onFailure(ctx::fail);
    }

    private static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status;
        String field = null;
        String message;
        if (failure instanceof ApiException e) {
            status = e.status();
            field = e.field();
            message = e.getMessage();
        } else if (failure instanceof ReleaseException e) {
            status = statusOf(e.kind());
            field = e.field();
            message = e.getMessage();
        } else if (failure instanceof RuleException || failure instanceof ConfigException) {
            status = 400;
            message = failure.getMessage();
        } else if (failure instanceof StoreException || failure instanceof FencedException) {
            LOG.warn("request refused: the store cannot be used method={} path={}", ctx.request().method(),
                    ctx.request().path());
            status = 503;
            message = "the store is unavailable; try again";
        } else if (failure == null && ctx.statusCode() > 0) {
            status = ctx.statusCode();
            message = status == 413 ? "the request body is too large" : "HTTP " + status;
        } else {
            LOG.error("request failed method={} path={}", ctx.request().method(), ctx.request().path(), failure);
            status = 500;
            message = "internal error";
        }
        JsonObject body = new JsonObject().put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static int statusOf(ReleaseException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
        };
    }
}
