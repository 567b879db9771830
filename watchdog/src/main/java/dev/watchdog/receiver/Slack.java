package dev.watchdog.receiver;

import dev.watchdog.core.Checks;
import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Slack incoming webhook; its URL is a secret. The message goes as {@code text} (notifications,
 * old clients) and {@code blocks}, every piece of it escaped for mrkdwn, so that a release field or
 * a reason such as {@code <!channel>} or {@code <https://evil|Acknowledge>} is shown, never acted on.
 */
public record Slack(Secret url) implements Channel {

    public Slack {
        Objects.requireNonNull(url, "slack.url is required");
        Checks.url(url.value(), "slack.url");
    }

    @Override
    public List<Secret> secrets() {
        return List.of(url);
    }

    @Override
    public String kind() {
        return "slack";
    }

    @Override
    public boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause) {
        return true;
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        return List.of(Http.Request.post(url.value(), Buffer.buffer(body(n.message()).encode()), TIMEOUT));
    }

    /** Slack answers a short code in plain text ({@code no_service}, {@code invalid_payload}): safe to keep. */
    @Override
    public Reading read(Http.Response response, Clock clock) {
        String text = response.body().toString().trim();
        return Reading.of(response, clock, text.matches("[a-z_]{1,60}") && !text.equals("ok") ? text : null);
    }

    static JsonObject body(Message m) {
        String context = "release " + m.releaseId() + " | " + m.service() + " " + m.version() + " | " + m.environment();
        JsonArray blocks = new JsonArray()
                .add(section("*" + escape(m.title()) + "*"))
                .add(section(escape(String.join("\n", m.lines()))))
                .add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(mrkdwn(escape(context)
                        + (m.link() == null ? "" : " | <" + m.link() + "|Open the release>")))));
        return new JsonObject().put("text", escape(m.title())).put("blocks", blocks);
    }

    private static JsonObject section(String text) {
        return new JsonObject().put("type", "section").put("text", mrkdwn(text));
    }

    private static JsonObject mrkdwn(String text) {
        return new JsonObject().put("type", "mrkdwn").put("text", text);
    }

    /** Slack's three control characters, as its docs say to escape them. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
