package dev.watchdog.agent;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import dev.watchdog.api.Listener;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollback agent: takes the watchdog's signed rollback webhook on {@code POST /rollback},
 * verifies it, and runs the matching action once per key. 200 when every step succeeded; 401 not
 * signed by the watchdog or too old; 400 not a rollback call; 422 nothing to do for it; 409 an
 * interrupted run awaits an operator; 502 a step failed; 504 a step timed out.
 */
public final class AgentServer extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    private static final int MAX_BODY = 256 * 1024;

    private final AgentConfig config;
    private final Path configDir;
    private final Clock clock;
    private final Map<String, String> inheritedEnv;
    private final Verifier verifier;
    private @Nullable Journal journal;
    private @Nullable Listener server;

    /** {@code inheritedEnv}: what commands start from (the agent's environment less the secrets the config read). */
    public AgentServer(AgentConfig config, Path configDir, Clock clock, Map<String, String> inheritedEnv) {
        this.config = config;
        this.configDir = configDir;
        this.clock = clock;
        this.inheritedEnv = Map.copyOf(inheritedEnv);
        this.verifier = new Verifier(config.secret(), config.maxAge());
    }

    @Override
    public Future<?> start() {
        Path file = config.journalFile(configDir);
        return vertx.executeBlocking(() -> Journal.open(file, clock, true))
                .compose(opened -> {
                    journal = opened;
                    Runs runs = new Runs(vertx, opened, call -> Plan.of(config, call, configDir),
                            new CommandRunner(vertx, inheritedEnv, config.logOutputBytes()),
                            new HttpRunner(vertx, config.logOutputBytes()));
                    return vertx.executeBlocking(() -> opened.list(Journal.Status.INTERRUPTED, 100)).map(interrupted -> {
                        interrupted.forEach(e -> LOG.error("interrupted run awaits an operator key={} release={} action={}"
                                + " (watchdog agent resolve KEY --done|--rerun)", e.key(), e.releaseId(), e.action()));
                        return runs;
                    });
                })
                .compose(runs -> Listener.start(vertx, "limits", config.host(), config.port(), config.limits(), null,
                        configDir, router(runs)))
                .onSuccess(s -> server = s)
                .onSuccess(s -> LOG.info("agent ready listen={}:{} actions={} journal={}", config.host(), s.port(),
                        config.actions().size(), file));
    }

    @Override
    public Future<?> stop() {
        Future<Void> closed = server == null ? Future.succeededFuture() : server.shutdown(Duration.ZERO);
        Journal opened = journal;
        return closed.compose(x -> opened == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
            opened.close();
            return null;
        }));
    }

    /** The port it listens on (the configured one, or the one given for port 0). */
    public int port() {
        return Objects.requireNonNull(server, "the agent is started").port();
    }

    private Router router(Runs runs) {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        router.get("/healthz").handler(ctx -> ctx.response().end("ok\n"));
        router.post("/rollback").handler(ctx -> rollback(ctx, runs));
        router.route().handler(ctx -> ctx.fail(new AgentException(404, "no such route; the agent takes POST /rollback", null)));
        router.route().failureHandler(AgentServer::failure);
        return router;
    }

    private void rollback(RoutingContext ctx, Runs runs) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        verifier.verify(ctx.request().getHeader("webhook-id"), ctx.request().getHeader("webhook-timestamp"),
                ctx.request().getHeader("webhook-signature"), body, clock.instant());
        Call call = Call.parse(key(ctx), new String(body, StandardCharsets.UTF_8));
        LOG.info("rollback call key={} release={} service={} version={} environment={} by=\"{}\"", call.key(),
                call.releaseId(), call.service(), call.version(), call.environment(), call.triggeredBy());
        runs.handle(call).onSuccess(answer -> ctx.response().setStatusCode(answer.status())
                .putHeader("Content-Type", "application/json").end(answer.body().encode())).onFailure(ctx::fail);
    }

    /** The key is the signed {@code webhook-id}; an {@code Idempotency-Key}, which is not signed, must agree. */
    private static String key(RoutingContext ctx) {
        String id = ctx.request().getHeader("webhook-id");
        String idempotency = ctx.request().getHeader("Idempotency-Key");
        if (idempotency != null && !idempotency.equals(id)) {
            throw AgentException.badInput("Idempotency-Key", "Idempotency-Key differs from webhook-id");
        }
        return id;
    }

    private static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status;
        JsonObject body = new JsonObject();
        if (failure instanceof AgentException e) {
            status = e.status();
            body.put("error", e.getMessage());
            if (e.field() != null) {
                body.put("field", e.field());
            }
            if (status == 401) {
                LOG.warn("rollback call refused remote={} reason=\"{}\"", ctx.request().remoteAddress(), e.getMessage());
            } else if (status != 404) {
                LOG.warn("rollback call not acted on status={} reason=\"{}\"", status, e.getMessage());
            }
        } else if (ctx.statusCode() == 413) {
            status = 413;
            body.put("error", "body larger than " + MAX_BODY + " bytes");
        } else {
            status = 500;
            body.put("error", "internal error; see the agent's log");
            LOG.error("rollback call failed inside the agent", failure);
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
