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
 * Optional: signingSecret (the Slack app's: P1 pages then carry buttons, Acknowledge, Roll back and
 * Keep the release, and the app's interactivity requests are verified with it).
 */
public record Slack(Secret url, @Nullable Secret signingSecret) implements Channel {

    /** The block that holds the buttons, replaced when a decision is made. */
    public static final String ACTIONS = "watchdog_decide";

    public Slack {
        Objects.requireNonNull(url, "slack.url is required");
        Checks.url(url.value(), "slack.url");
    }

    public Slack(Secret url) {
        this(url, null);
    }

    @Override
    public List<Secret> secrets() {
        return signingSecret == null ? List.of(url) : List.of(url, signingSecret);
    }

    @Override
    public String kind() {
        return "slack";
    }

    @Override
    public boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause) {
        return kind != Notice.Kind.SUPERSEDED;
    }

    @Override
    public List<Http.Request> requests(Notification n, @Nullable String report) {
        JsonObject body = body(n.message());
        List<Choice> choices = signingSecret == null ? List.of() : Choice.offered(n);
        String incident = n.incidentId();
        if (incident != null && !choices.isEmpty()) {
            body.getJsonArray("blocks").add(buttons(choices, incident));
        }
        return List.of(Http.Request.post(url.value(), Buffer.buffer(body.encode()), TIMEOUT));
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

    /** Block Kit buttons, each carrying its choice and incident; rolling back asks to confirm. */
    public static JsonObject buttons(List<Choice> choices, String incidentId) {
        JsonArray elements = new JsonArray();
        for (Choice c : choices) {
            JsonObject button = new JsonObject().put("type", "button").put("action_id", "watchdog_" + c.code())
                    .put("text", plain(c.label())).put("value", c.data(incidentId));
            if (c == Choice.ACK) {
                button.put("style", "primary");
            } else if (c == Choice.ROLLBACK) {
                button.put("style", "danger").put("confirm", new JsonObject().put("title", plain("Roll back?"))
                        .put("text", plain("The rollback webhook is called at once.")).put("confirm", plain("Roll back"))
                        .put("deny", plain("Cancel")));
            }
            elements.add(button);
        }
        return new JsonObject().put("type", "actions").put("block_id", ACTIONS).put("elements", elements);
    }

    private static JsonObject plain(String text) {
        return new JsonObject().put("type", "plain_text").put("text", text);
    }

    private static JsonObject section(String text) {
        return new JsonObject().put("type", "section").put("text", mrkdwn(text));
    }

    private static JsonObject mrkdwn(String text) {
        return new JsonObject().put("type", "mrkdwn").put("text", text);
    }

    /** Slack's three control characters, as its docs say to escape them. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
