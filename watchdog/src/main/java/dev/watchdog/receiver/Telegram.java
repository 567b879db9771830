package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A Telegram bot's {@code sendMessage}, in Telegram's HTML: the title bold, a link to the release's
 * page, everything else escaped, and an {@code @} from user text kept from mentioning anyone.
 * Optional: apiUrl (default https://api.telegram.org), webhookSecret (the {@code secret_token} given
 * to {@code setWebhook}: P1 pages then carry an inline keyboard, Acknowledge, Roll back and Keep the
 * release, and the bot's updates are taken at /hooks/telegram/RECEIVER when they carry it).
 */
public record Telegram(Secret token, String chatId, String apiUrl, @Nullable Secret webhookSecret) implements Channel {

    static final int LIMIT = 4096;
    /** U+2060 WORD JOINER after an {@code @}: the text reads the same, and mentions nobody. */
    private static final String NO_MENTION = "@\u2060";

    public Telegram {
        Objects.requireNonNull(token, "telegram.token is required");
        if (chatId == null || !chatId.matches("-?\\d{1,20}|@[A-Za-z0-9_]{5,32}")) {
            throw new IllegalArgumentException("telegram.chatId must be a chat id (-1001234567890) or @channelname");
        }
        apiUrl = Checks.url(apiUrl == null ? "https://api.telegram.org" : apiUrl, "telegram.apiUrl");
        if (webhookSecret != null && !webhookSecret.value().matches("[A-Za-z0-9_-]{16,256}")) {
            throw new IllegalArgumentException("telegram.webhookSecret must be 16 to 256 of A-Z, a-z, 0-9, _ and -"
                    + " (what setWebhook's secret_token allows)");
        }
    }

    public Telegram(Secret token, String chatId, String apiUrl) {
        this(token, chatId, apiUrl, null);
    }

    /** A Bot API method's URL (it holds the token: never logged). */
    public String method(String name) {
        return apiUrl + "/bot" + token.value() + "/" + name;
    }

    @Override
    public List<Secret> secrets() {
        return webhookSecret == null ? List.of(token) : List.of(token, webhookSecret);
    }

    @Override
    public String kind() {
        return "telegram";
    }

    @Override
    public boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause) {
        return kind != Notice.Kind.SUPERSEDED;
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        JsonObject body = new JsonObject().put("chat_id", chatId).put("text", text(n.message())).put("parse_mode", "HTML")
                .put("disable_web_page_preview", true);
        List<Choice> choices = webhookSecret == null ? List.of() : Choice.offered(n);
        String incident = n.incidentId();
        if (incident != null && !choices.isEmpty()) {
            body.put("reply_markup", keyboard(choices, incident));
        }
        return List.of(Http.Request.post(method("sendMessage"), Buffer.buffer(body.encode()), TIMEOUT));
    }

    /** Telegram says why in {@code description} and how long to wait in {@code parameters.retry_after}. */
    @Override
    public Reading read(Http.Response response, Clock clock) {
        JsonObject body = json(response);
        Integer seconds = body.getJsonObject("parameters", new JsonObject()).getInteger("retry_after");
        String description = body.getValue("description") instanceof String d && d.length() <= 200 ? d : null;
        return Reading.of(response, clock, description).orWait(Optional.ofNullable(seconds).map(Duration::ofSeconds));
    }

    /** An inline keyboard of one row, each button's callback_data its choice and incident (at most 64 bytes). */
    public static JsonObject keyboard(List<Choice> choices, String incidentId) {
        io.vertx.core.json.JsonArray row = new io.vertx.core.json.JsonArray();
        choices.forEach(c -> row.add(new JsonObject().put("text", c.label()).put("callback_data", c.data(incidentId))));
        io.vertx.core.json.JsonArray rows = new io.vertx.core.json.JsonArray();
        if (!row.isEmpty()) {
            rows.add(row);
        }
        return new JsonObject().put("inline_keyboard", rows);
    }

    /** The message in Telegram's HTML, cut to its 4096 characters (and saying so) where longer. */
    static String text(Message m) {
        String head = "<b>" + escape(m.title()) + "</b>\n";
        String foot = m.link() == null ? "" : "\n<a href=\"" + m.link() + "\">Open the release</a>";
        String lines = String.join("\n", m.lines());
        String body = escape(lines);
        int room = LIMIT - head.length() - foot.length();
        if (body.length() <= room) {
            return head + body + foot;
        }
        String more = "\n[cut: " + (lines.length() - room) + "+ characters more]";
        String cut = lines.substring(0, Math.max(0, room - more.length()));
        while (escape(cut).length() > room - more.length()) {
            cut = cut.substring(0, cut.length() - (escape(cut).length() - (room - more.length())));
        }
        return head + escape(cut) + more + foot;
    }

    /** The three characters Telegram's HTML mode needs escaped, and mentions. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", NO_MENTION);
    }

    private static JsonObject json(Http.Response response) {
        try {
            return response.body().length() == 0 ? new JsonObject() : response.body().toJsonObject();
        } catch (RuntimeException notJson) {
            return new JsonObject();
        }
    }
}
