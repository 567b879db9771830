package dev.watchdog.api;

import dev.watchdog.config.Person;
import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.http.Hmac;
import dev.watchdog.http.Http;
import dev.watchdog.receiver.Choice;
import dev.watchdog.receiver.Slack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's interactivity requests: a button of a page pressed. Each is verified as Slack signs it
 * ({@code v0=} hex HMAC-SHA256 of {@code v0:timestamp:body} under a Slack receiver's signing secret,
 * the timestamp within five minutes, the signature not seen before), answered 200 at once (Slack
 * waits three seconds), then decided, and the page is replaced through the payload's
 * {@code response_url}: the buttons go once a decision is made (after an acknowledgement, the two
 * decisions stay). A refusal is told to the presser alone.
 */
final class SlackHook {

    private static final Logger LOG = LoggerFactory.getLogger(SlackHook.class);
    static final Duration WINDOW = Duration.ofMinutes(5);

    private final Supplier<WatchdogConfig> config;
    private final Decisions decisions;
    private final Http http;
    private final Clock clock;
    private final Replays seen;

    SlackHook(Supplier<WatchdogConfig> config, Decisions decisions, Http http, Clock clock) {
        this.config = config;
        this.decisions = decisions;
        this.http = http;
        this.clock = clock;
        this.seen = new Replays(clock, WINDOW.multipliedBy(2), 10_000);
    }

    void handle(RoutingContext ctx) {
        byte[] body = bytes(ctx);
        verify(ctx.request().getHeader("X-Slack-Request-Timestamp"), ctx.request().getHeader("X-Slack-Signature"), body);
        JsonObject payload = payload(body);
        ctx.response().setStatusCode(200).end();
        press(payload).onFailure(e -> LOG.warn("slack decision not answered why=\"{}\"", e.getMessage()));
    }

    /** Refuses (401) a request not signed by a configured Slack app, older than five minutes, or seen before. */
    void verify(String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null || !timestamp.matches("\\d{1,12}")) {
            throw new ApiException(401, "a Slack request needs X-Slack-Request-Timestamp and X-Slack-Signature", null);
        }
        long age = Math.abs(clock.instant().getEpochSecond() - Long.parseLong(timestamp));
        if (age > WINDOW.toSeconds()) {
            throw new ApiException(401, "the Slack request is older than 5 minutes", null);
        }
        byte[] base = ("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8);
        byte[] signed = Buffer.buffer(base).appendBytes(body).getBytes();
        boolean ok = false;
        for (Receiver r : config.get().receivers().values()) {
            if (r.channel() instanceof Slack s && s.signingSecret() != null
                    && Hmac.same("v0=" + Hmac.sha256Hex(s.signingSecret().value(), signed), signature)) {
                ok = true;
            }
        }
        if (!ok) {
            throw new ApiException(401, "the Slack signature does not match any Slack app's signing secret", null);
        }
        if (!seen.first(signature)) {
            throw new ApiException(401, "this Slack request was taken already (a replay)", null);
        }
    }

    /** The form's {@code payload}: a JSON object of Slack's block_actions. */
    static JsonObject payload(byte[] body) {
        String form = new String(body, StandardCharsets.UTF_8);
        for (String pair : form.split("&")) {
            if (pair.startsWith("payload=")) {
                try {
                    return new JsonObject(URLDecoder.decode(pair.substring(8), StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    break;
                }
            }
        }
        throw ApiException.badInput("payload", "a Slack interaction is a form with a JSON payload");
    }

    private Future<Void> press(JsonObject payload) {
        JsonArray actions = payload.getJsonArray("actions", new JsonArray());
        JsonObject action = actions.isEmpty() ? new JsonObject() : actions.getJsonObject(0);
        Optional<Choice.Pressed> pressed = Choice.read(action.getString("value"));
        String user = payload.getJsonObject("user", new JsonObject()).getString("id", "");
        String responseUrl = payload.getString("response_url", "");
        if (!"block_actions".equals(payload.getString("type")) || pressed.isEmpty() || !responseUrl.matches("https?://.+")) {
            return Future.succeededFuture();
        }
        return decisions.decide(pressed.get(), config.get().people(), Person::slack, user, "Slack")
                .compose(said -> reply(responseUrl, said.done() ? replaced(payload, said, pressed.get())
                        : ephemeral(said.text())))
                .mapEmpty();
    }

    private Future<Http.Response> reply(String url, JsonObject body) {
        return http.send(Http.Request.post(url, Buffer.buffer(body.encode()), Duration.ofSeconds(10)));
    }

    /** The page as it was, its buttons replaced by who decided what, and the choices left. */
    static JsonObject replaced(JsonObject payload, Decisions.Said said, Choice.Pressed pressed) {
        JsonObject message = payload.getJsonObject("message", new JsonObject());
        JsonArray blocks = new JsonArray();
        message.getJsonArray("blocks", new JsonArray()).stream().filter(JsonObject.class::isInstance)
                .map(JsonObject.class::cast).filter(b -> !Slack.ACTIONS.equals(b.getString("block_id"))).forEach(blocks::add);
        blocks.add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(new JsonObject()
                .put("type", "mrkdwn").put("text", ":white_check_mark: " + Slack.escape(said.text())))));
        if (!said.left().isEmpty()) {
            blocks.add(Slack.buttons(said.left(), pressed.incidentId()));
        }
        return new JsonObject().put("replace_original", true).put("text", message.getString("text", said.text()))
                .put("blocks", blocks);
    }

    static JsonObject ephemeral(String text) {
        return new JsonObject().put("response_type", "ephemeral").put("replace_original", false)
                .put("text", Slack.escape(text));
    }

    static byte[] bytes(RoutingContext ctx) {
        Buffer b = ctx.body().buffer();
        return b == null ? new byte[0] : b.getBytes();
    }
}
