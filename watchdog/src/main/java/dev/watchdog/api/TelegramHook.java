package dev.watchdog.api;

import dev.watchdog.config.Person;
import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.receiver.Choice;
import dev.watchdog.receiver.Telegram;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Telegram bot's updates at {@code /hooks/telegram/RECEIVER}: taken only with the header
 * {@code X-Telegram-Bot-Api-Secret-Token} equal to that receiver's webhookSecret (what setWebhook's
 * {@code secret_token} makes Telegram send), each {@code update_id} once. A callback query (an
 * inline button pressed) is answered 200 at once, then decided; the presser hears what became of it
 * ({@code answerCallbackQuery}), and once decided the page's keyboard is replaced by the choices left
 * ({@code editMessageReplyMarkup}).
 */
final class TelegramHook {

    private static final Logger LOG = LoggerFactory.getLogger(TelegramHook.class);
    /** Telegram keeps an update it could not deliver for up to 24 hours. */
    static final Duration KEEP = Duration.ofHours(24);

    private final Supplier<WatchdogConfig> config;
    private final Decisions decisions;
    private final Http http;
    private final Replays seen;

    TelegramHook(Supplier<WatchdogConfig> config, Decisions decisions, Http http, Clock clock) {
        this.config = config;
        this.decisions = decisions;
        this.http = http;
        this.seen = new Replays(clock, KEEP, 10_000);
    }

    void handle(RoutingContext ctx) {
        String name = ctx.pathParam("receiver");
        Telegram bot = bot(name);
        Secret secret = bot.webhookSecret();
        if (secret == null || !secret.matches(ctx.request().getHeader("X-Telegram-Bot-Api-Secret-Token"))) {
            throw new ApiException(401, "the Telegram secret token does not match receiver " + name + "'s webhookSecret",
                    null);
        }
        JsonObject update = json(SlackHook.bytes(ctx));
        Object id = update.getValue("update_id");
        boolean fresh = id instanceof Number n && seen.first(name + ":" + n.longValue());
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end("{\"ok\":true}");
        JsonObject query = update.getJsonObject("callback_query");
        if (fresh && query != null) {
            press(bot, query).onFailure(e -> LOG.warn("telegram decision not answered receiver={} why=\"{}\"", name,
                    e.getMessage()));
        }
    }

    private Telegram bot(String name) {
        Receiver r = config.get().receivers().get(name);
        if (r != null && r.channel() instanceof Telegram t && t.webhookSecret() != null) {
            return t;
        }
        throw new ApiException(401, "no Telegram receiver takes updates at this path", null);
    }

    private Future<Void> press(Telegram bot, JsonObject query) {
        Optional<Choice.Pressed> pressed = Choice.read(query.getString("data"));
        String from = String.valueOf(query.getJsonObject("from", new JsonObject()).getValue("id"));
        if (pressed.isEmpty()) {
            return Future.succeededFuture();
        }
        JsonObject message = query.getJsonObject("message", new JsonObject());
        return decisions.decide(pressed.get(), config.get().people(), Person::telegram, from, "Telegram")
                .compose(said -> call(bot, "answerCallbackQuery", new JsonObject().put("callback_query_id",
                        query.getString("id")).put("text", said.text()).put("show_alert", !said.done()))
                        .compose(x -> said.done() && message.containsKey("message_id") ? call(bot, "editMessageReplyMarkup",
                                new JsonObject().put("chat_id", message.getJsonObject("chat", new JsonObject()).getValue("id"))
                                        .put("message_id", message.getValue("message_id"))
                                        .put("reply_markup", Telegram.keyboard(said.left(), pressed.get().incidentId())))
                                : Future.succeededFuture()))
                .mapEmpty();
    }

    private Future<Void> call(Telegram bot, String method, JsonObject body) {
        return http.send(Http.Request.post(bot.method(method), Buffer.buffer(body.encode()), Duration.ofSeconds(10)))
                .map(r -> {
                    if (r.status() / 100 != 2) {
                        LOG.warn("telegram answered method={} status={}", method, r.status());
                    }
                    return null;
                });
    }

    private static JsonObject json(byte[] body) {
        try {
            return new JsonObject(Buffer.buffer(body));
        } catch (RuntimeException e) {
            throw ApiException.badInput(null, "a Telegram update is a JSON object");
        }
    }
}
