package dev.watchdog.pipelines;

import static dev.watchdog.testing.FakePrometheus.value;

import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;

/**
 * The daemon with every receiver of the pipelines at once, all pointed at one recorder that plays
 * Slack, Telegram's Bot API, PagerDuty's Events API, GitHub's REST API and a CloudEvents sink, each
 * on its own path; and the people who may decide from a chat.
 */
abstract class PipelineRig extends DaemonTest {

    static final String SLACK_SECRET = "slack-signing-secret-1";
    static final String TELEGRAM_SECRET = "telegram-secret-token-1";
    static final String PAGERDUTY_SECRET = "pd-webhook-secret-1";
    static final String BOT = "/tg/bot123:telegram-bot-token";

    WebhookRecorder fakes;

    @Override
    protected String rules() {
        return """
                groups:
                  - name: golden-signals
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: error_ratio{service="{{service}}"}
                        unit: ratio
                        p1: "> 0.01"
                        p0: "> 0.05"
                        for: 1m
                """;
    }

    @Override
    protected void prepare() {
        prometheus.answer("error_ratio", value("0.001"));
        fakes = new WebhookRecorder(vertx).start();
    }

    @Override
    protected String extraConfig() {
        return """
                receivers:
                  chat: {slack: {url: "%s", signingSecret: "%s"}, minInterval: 0s}
                  tg: {telegram: {token: "123:telegram-bot-token", chatId: "-100123", apiUrl: "%s", webhookSecret: "%s"}, minInterval: 0s}
                  pd: {pagerduty: {routingKey: "pd-routing-key-1", url: "%s", webhookSecret: "%s"}, minInterval: 0s}
                  gh: {githubDeployments: {repo: acme/api, token: "gh-token-1", apiUrl: "%s"}, minInterval: 0s}
                  cde: {cdevents: {url: "%s"}, minInterval: 0s}
                people:
                  alice: {role: oncall, slack: U0ALICE, telegram: "4242", pagerduty: PALICE1}
                  victor: {role: viewer, slack: U0VICTOR}
                escalation:
                  default:
                    levels:
                      - {after: 0m, notify: [chat, tg, pd, gh, cde]}
                    repeat: 10m
                """.formatted(fakes.url("/slack/hook"), SLACK_SECRET, fakes.url("/tg"), TELEGRAM_SECRET, fakes.url("/pd"),
                PAGERDUTY_SECRET, fakes.url("/gh"), fakes.url("/cde/events"));
    }

    @AfterEach
    void stopFakes() {
        fakes.close();
    }

    JsonObject registration(String version) {
        return new JsonObject().put("service", "api").put("version", version).put("previousVersion", "1.3.2")
                .put("environment", "production").put("window", "2h").put("bake", "30m")
                .put("labels", new JsonObject().put("github_deployment", "42"));
    }

    /** Registers 1.4.0 and lets a P1 breach open its incident (for 1m), its pages settled. */
    String p1() {
        String id = daemon.register(registration("1.4.0")).getString("id");
        daemon.tick();
        prometheus.answer("error_ratio", value("0.023"));
        tick(Duration.ofSeconds(15), 5);
        daemon.settled(id);
        return id;
    }

    void tick(Duration step, int times) {
        for (int i = 0; i < times; i++) {
            clock.advance(step);
            daemon.tick();
        }
    }

    List<JsonObject> bodies(String path) {
        return fakes.calls(path).stream().map(c -> new JsonObject(c.body())).toList();
    }

    /** A request with headers of our choosing and no token: as Slack, Telegram and PagerDuty send theirs. */
    HttpResponse<Buffer> post(String path, MultiMap headers, String body) {
        return WebClient.create(vertx).postAbs(daemon.url() + path).putHeaders(headers).sendBuffer(Buffer.buffer(body))
                .await();
    }

    /** Hex HMAC-SHA256, written here from the algorithm, apart from the daemon's code. */
    static String hmac(String key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }
}
