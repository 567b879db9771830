package dev.watchdog.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Decisions from chat: Slack's buttons and Telegram's inline keyboard, through the whole daemon. */
class ChatDecisionsTest extends PipelineRig {

    /** The P1 page the fake Slack got: its text and blocks, the last one the buttons. */
    JsonObject slackPage() {
        return bodies("/slack/hook").stream().filter(b -> b.getString("text").startsWith("[P1] Breach")).findFirst()
                .orElseThrow();
    }

    /** A block_actions payload as Slack sends it for a button of {@code page}, pressed by {@code user}. */
    String pressed(JsonObject page, String user, String value) {
        JsonObject payload = new JsonObject().put("type", "block_actions")
                .put("user", new JsonObject().put("id", user).put("username", "someone").put("team_id", "T0001"))
                .put("api_app_id", "A0001").put("trigger_id", "1.2.3")
                .put("container", new JsonObject().put("type", "message").put("message_ts", "1.0").put("channel_id", "C1"))
                .put("response_url", fakes.url("/slack/respond"))
                .put("message", new JsonObject().put("type", "message").put("text", page.getString("text"))
                        .put("blocks", page.getJsonArray("blocks")))
                .put("actions", new JsonArray().add(new JsonObject().put("type", "button").put("block_id", "watchdog_decide")
                        .put("action_id", "watchdog_" + value.substring(0, value.indexOf(':'))).put("value", value)
                        .put("action_ts", "1.1")));
        return "payload=" + URLEncoder.encode(payload.encode(), StandardCharsets.UTF_8);
    }

    /** Headers as Slack signs: v0= hex HMAC-SHA256 of "v0:" + timestamp + ":" + body under the signing secret. */
    MultiMap signed(String body, long timestamp, String secret) throws Exception {
        return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/x-www-form-urlencoded")
                .add("X-Slack-Request-Timestamp", String.valueOf(timestamp))
                .add("X-Slack-Signature", "v0=" + hmac(secret, "v0:" + timestamp + ":" + body));
    }

    long now() {
        return clock.instant().getEpochSecond();
    }

    @Nested
    @DisplayName("Slack")
    class Slack {
        @Test
        @DisplayName("a P1 page carries Acknowledge, Roll back and Keep; a press signed as Slack signs stops the ladder,"
                + " is recorded with the mapped name, and the page loses its Acknowledge button")
        void buttonStopsLadder() throws Exception {
            String id = p1();
            String incident = id + ".1";
            JsonObject page = slackPage();
            JsonArray blocks = page.getJsonArray("blocks");
            JsonObject actions = blocks.getJsonObject(blocks.size() - 1);
            assertEquals("actions", actions.getString("type"));
            assertEquals(List.of("ack:" + incident, "rollback:" + incident, "keep:" + incident),
                    actions.getJsonArray("elements").stream().map(e -> ((JsonObject) e).getString("value")).toList());

            String body = pressed(page, "U0ALICE", "ack:" + incident);
            assertEquals(200, post("/hooks/slack", signed(body, now(), SLACK_SECRET), body).statusCode());
            Poll.until(Duration.ofSeconds(10), "the page to be replaced", () -> !fakes.calls("/slack/respond").isEmpty());

            JsonObject reply = bodies("/slack/respond").get(0);
            assertEquals(true, reply.getBoolean("replace_original"));
            JsonArray now = reply.getJsonArray("blocks");
            assertTrue(now.encode().contains("Acknowledged by alice in Slack"), now.encode());
            assertEquals(List.of("watchdog_rollback", "watchdog_keep"), now.getJsonObject(now.size() - 1)
                    .getJsonArray("elements").stream().map(e -> ((JsonObject) e).getString("action_id")).toList());
            JsonObject inc = daemon.release(id).getJsonObject("incident");
            assertEquals("acknowledged", inc.getString("status"));
            assertEquals("alice", inc.getJsonObject("acknowledged").getString("who"));
            assertTrue(daemon.events(id).encode().contains("acknowledged by alice"), daemon.events(id).encode());

            int pages = fakes.calls("/slack/hook").size();
            tick(Duration.ofMinutes(1), 12);
            daemon.settled(id);
            assertTrue(bodies("/slack/hook").stream().skip(pages).noneMatch(b -> b.getString("text").startsWith("[P1] Still")),
                    "no page repeats once acknowledged");
        }

        @Test
        @DisplayName("a wrong signature, a timestamp over 5 minutes old and a replay are refused, and change nothing")
        void refused() throws Exception {
            String id = p1();
            String body = pressed(slackPage(), "U0ALICE", "ack:" + id + ".1");
            assertEquals(401, post("/hooks/slack", signed(body, now(), "not-the-secret"), body).statusCode());
            long old = now() - 301;
            assertEquals(401, post("/hooks/slack", signed(body, old, SLACK_SECRET), body).statusCode());
            MultiMap good = signed(body, now(), SLACK_SECRET);
            MultiMap forged = signed(body.replace("U0ALICE", "U0VICTOR"), now(), SLACK_SECRET)
                    .set("X-Slack-Signature", good.get("X-Slack-Signature"));
            assertEquals(401, post("/hooks/slack", forged, body.replace("U0ALICE", "U0VICTOR")).statusCode());
            assertEquals("open", daemon.release(id).getJsonObject("incident").getString("status"));

            assertEquals(200, post("/hooks/slack", good, body).statusCode());
            Poll.until(Duration.ofSeconds(10), "the decision", () -> !fakes.calls("/slack/respond").isEmpty());
            assertEquals(401, post("/hooks/slack", good, body).statusCode(), "the same request again");
            assertEquals(1, fakes.calls("/slack/respond").size());
        }

        @Test
        @DisplayName("someone not among the people, or without the on-call role, is told so in the chat, and nothing happens")
        void strangers() throws Exception {
            String id = p1();
            String stranger = pressed(slackPage(), "U0NOBODY", "rollback:" + id + ".1");
            assertEquals(200, post("/hooks/slack", signed(stranger, now(), SLACK_SECRET), stranger).statusCode());
            Poll.until(Duration.ofSeconds(10), "the answer", () -> fakes.calls("/slack/respond").size() == 1);
            JsonObject told = bodies("/slack/respond").get(0);
            assertEquals("ephemeral", told.getString("response_type"));
            assertEquals(false, told.getBoolean("replace_original"));
            assertTrue(told.getString("text").contains("not among the people"), told.encode());

            String viewer = pressed(slackPage(), "U0VICTOR", "keep:" + id + ".1");
            assertEquals(200, post("/hooks/slack", signed(viewer, now() + 1, SLACK_SECRET), viewer).statusCode());
            Poll.until(Duration.ofSeconds(10), "the answer", () -> fakes.calls("/slack/respond").size() == 2);
            assertTrue(bodies("/slack/respond").get(1).getString("text").contains("victor may not decide"));
            assertEquals("degraded", daemon.release(id).getString("state"));
            assertEquals("open", daemon.release(id).getJsonObject("incident").getString("status"));
        }
    }

    @Nested
    @DisplayName("Telegram")
    class Telegram {
        JsonObject update(long updateId, String from, String data) {
            return new JsonObject().put("update_id", updateId).put("callback_query", new JsonObject().put("id", "cb" + updateId)
                    .put("from", new JsonObject().put("id", Long.parseLong(from)).put("is_bot", false).put("first_name", "A"))
                    .put("message", new JsonObject().put("message_id", 77).put("date", 1)
                            .put("chat", new JsonObject().put("id", -100123L).put("type", "supergroup")).put("text", "page"))
                    .put("chat_instance", "1").put("data", data));
        }

        MultiMap headers(String secret) {
            return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")
                    .add("X-Telegram-Bot-Api-Secret-Token", secret);
        }

        @Test
        @DisplayName("a P1 page carries an inline keyboard; a callback query with the secret token keeps the release,"
                + " answered in the chat and the keyboard removed; a wrong token or the same update again changes nothing")
        void keyboard() {
            String id = p1();
            String incident = id + ".1";
            JsonObject page = bodies(BOT + "/sendMessage").stream().filter(b -> b.containsKey("reply_markup")).findFirst()
                    .orElseThrow();
            assertTrue(page.getString("text").startsWith("<b>[P1] Breach"), page.encode());
            assertEquals("keep:" + incident, page.getJsonObject("reply_markup").getJsonArray("inline_keyboard")
                    .getJsonArray(0).getJsonObject(2).getString("callback_data"));

            String update = update(1001, "4242", "keep:" + incident).encode();
            assertEquals(401, post("/hooks/telegram/tg", headers("wrong-secret-token-x"), update).statusCode());
            assertEquals(200, post("/hooks/telegram/tg", headers(TELEGRAM_SECRET), update).statusCode());
            Poll.until(Duration.ofSeconds(10), "the keyboard to go", () -> !fakes.calls(BOT + "/editMessageReplyMarkup").isEmpty());
            JsonObject answered = bodies(BOT + "/answerCallbackQuery").get(0);
            assertEquals("cb1001", answered.getString("callback_query_id"));
            assertEquals("Release kept by alice in Telegram", answered.getString("text"));
            JsonObject edit = bodies(BOT + "/editMessageReplyMarkup").get(0);
            assertEquals(77, edit.getInteger("message_id"));
            assertEquals(-100123L, edit.getLong("chat_id"));
            assertEquals(0, edit.getJsonObject("reply_markup").getJsonArray("inline_keyboard").size());
            assertEquals("accepted", daemon.release(id).getJsonObject("incident").getString("status"));

            assertEquals(200, post("/hooks/telegram/tg", headers(TELEGRAM_SECRET), update).statusCode());
            tick(Duration.ofSeconds(1), 1);
            assertEquals(1, fakes.calls(BOT + "/answerCallbackQuery").size(), "the same update_id is taken once");
        }

        @Test
        @DisplayName("a stranger's press is answered with an alert in the chat, and decides nothing")
        void stranger() {
            String id = p1();
            String update = update(2002, "999", "ack:" + id + ".1").encode();
            assertEquals(200, post("/hooks/telegram/tg", headers(TELEGRAM_SECRET), update).statusCode());
            Poll.until(Duration.ofSeconds(10), "the answer", () -> !fakes.calls(BOT + "/answerCallbackQuery").isEmpty());
            JsonObject answered = bodies(BOT + "/answerCallbackQuery").get(0);
            assertEquals(true, answered.getBoolean("show_alert"));
            assertTrue(answered.getString("text").contains("not among the people"));
            assertTrue(fakes.calls(BOT + "/editMessageReplyMarkup").isEmpty());
            assertFalse("acknowledged".equals(daemon.release(id).getJsonObject("incident").getString("status")));
        }
    }
}
