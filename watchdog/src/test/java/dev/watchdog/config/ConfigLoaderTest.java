package dev.watchdog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.core.Secret;
import dev.watchdog.receiver.Alertmanager;
import dev.watchdog.receiver.GitHub;
import dev.watchdog.receiver.GitHubDeployments;
import dev.watchdog.receiver.Grafana;
import dev.watchdog.receiver.PagerDuty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    static final String TOKEN = "s3cr3t-deployer-token";
    static final String ROLLBACK_SECRET = "whsec_c2VjcmV0LXJvbGxiYWNr";

    @TempDir
    Path dir;

    ConfigLoader loader = new ConfigLoader(Map.of("DEPLOYER", TOKEN, "AUTH", "Bearer hosted-prom-key")::get);

    String full(Path secretFile) {
        return """
                prometheus:
                  url: http://localhost:9090/
                  timeout: 5s
                  headers: {Authorization: "${env:AUTH}"}
                evaluation: {interval: 15s}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:8080
                  tokens:
                    - {name: ci, role: deployer, token: "${env:DEPLOYER}"}
                    - {name: oncall, role: oncall, token: "${file:%s}"}
                rollback:
                  default:
                    webhook:
                      url: https://deployer.example/rollback
                      secret: %s
                      retry: {attempts: 3, initial: 200ms, max: 2s}
                """.formatted(secretFile, ROLLBACK_SECRET);
    }

    @Test
    @DisplayName("a full config loads, with ${env:} and ${file:} resolved and defaults filled")
    void loads() throws Exception {
        Path secret = Files.writeString(dir.resolve("oncall"), "oncall-token\n");
        WatchdogConfig c = loader.parse(full(secret), "watchdog.yml");
        assertEquals("http://localhost:9090", c.prometheus().url());
        assertEquals(Duration.ofSeconds(5), c.prometheus().timeout());
        assertEquals("Bearer hosted-prom-key", c.prometheus().headers().get("Authorization").value());
        assertEquals(TOKEN, c.server().tokens().get(0).token().value());
        assertEquals("oncall-token", c.server().tokens().get(1).token().value());
        assertEquals(Role.ONCALL, c.server().tokens().get(1).role());
        assertEquals(8080, c.server().port());
        assertEquals(3, c.rollback().get("default").webhook().retry().attempts());
        assertEquals(Duration.ofSeconds(10), c.rollback().get("default").webhook().timeout());
        assertEquals(8, c.prometheus().maxConcurrency());
    }

    @Test
    @DisplayName("secrets are masked when the config is printed, and in every record's toString")
    void secretsMasked() throws Exception {
        Path secret = Files.writeString(dir.resolve("oncall"), "oncall-token\n");
        WatchdogConfig c = loader.parse(full(secret), "watchdog.yml");
        for (String shown : new String[] {loader.print(c), c.toString()}) {
            assertFalse(shown.contains(TOKEN), shown);
            assertFalse(shown.contains("oncall-token"), shown);
            assertFalse(shown.contains(ROLLBACK_SECRET), shown);
            assertFalse(shown.contains("hosted-prom-key"), shown);
            assertTrue(shown.contains(Secret.MASK), shown);
        }
        assertTrue(loader.print(c).contains("interval: \"15s\""), loader.print(c));
    }

    @Test
    @DisplayName("printed, a URL shows only its scheme, host and port: no user, password, path or query")
    void urlsMasked() {
        WatchdogConfig c = loader.parse("""
                prometheus: {url: "http://prom:hunter2@prometheus.example:9090"}
                receivers:
                  team: {slack: {url: "https://hooks.slack.com/services/T0/B0/slack-path-token"}}
                  audit: {webhook: {url: "https://audit.example/hook?token=query-token"}}
                  pager: {alertmanager: {url: "http://am:am-password@alertmanager.example:9093"}}
                  cluster: {alertmanager: {urls: ["http://am2:am2-password@am-2.example:9093", "http://am-3.example:9093"],
                                           headers: {Authorization: "Bearer am-header-token"}}}
                rollback:
                  default: {webhook: {url: "https://deployer.example/rollback/path-token"}}
                """, "watchdog.yml");
        String shown = loader.print(c);
        assertEquals(java.util.List.of("http://am2:am2-password@am-2.example:9093", "http://am-3.example:9093"),
                ((Alertmanager) c.receivers().get("cluster").channel()).urls());
        assertEquals(java.util.List.of("http://am:am-password@alertmanager.example:9093"),
                ((Alertmanager) c.receivers().get("pager").channel()).urls(), "url alone still works");
        for (String secret : new String[] {"hunter2", "slack-path-token", "query-token", "am-password", "path-token",
            "am2-password", "am-header-token"}) {
            assertFalse(shown.contains(secret), shown);
        }
        assertTrue(shown.contains("url: \"http://<secret>@prometheus.example:9090\""), shown);
        assertTrue(shown.contains("url: \"https://deployer.example/<secret>\""), shown);
        assertTrue(shown.contains("\"rules/*.yml\""), shown);
    }

    @Test
    @DisplayName("an unknown key is rejected with its path and line")
    void unknownKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                prometheus: {url: http://p:9090}
                server:
                  tokens:
                    - {name: ci, role: viewer, token: x, expires: all}
                """, "watchdog.yml"));
        assertEquals("watchdog.yml:4: unknown key 'server.tokens[0].expires'", e.getMessage());
    }

    @Test
    @DisplayName("metrics.ruleSeries is all by default, notOk when asked, and anything else is refused naming the field")
    void ruleSeries() {
        assertEquals(WatchdogConfig.RuleSeries.ALL, loader.parse("prometheus: {url: http://p:9090}\n", "w.yml")
                .metrics().ruleSeries());
        assertEquals(WatchdogConfig.RuleSeries.NOT_OK, loader.parse(
                "prometheus: {url: http://p:9090}\nmetrics: {ruleSeries: notOk}\n", "w.yml").metrics().ruleSeries());
        assertEquals("watchdog.yml:3: metrics.ruleSeries: unknown ruleSeries 'bogus' (expected all or notOk)",
                assertThrows(ConfigException.class, () -> loader.parse(
                        "prometheus: {url: http://p:9090}\nmetrics:\n  ruleSeries: bogus\n", "watchdog.yml")).getMessage());
    }

    @Test
    @DisplayName("bad values name the path, and never repeat a secret")
    void badValues() {
        assertEquals("watchdog.yml:2: evaluation.interval: 'soon' is not a duration (expected Prometheus notation such as 30s, 5m, 1h30m)",
                assertThrows(ConfigException.class, () -> loader.parse(
                        "prometheus: {url: http://p:9090}\nevaluation: {interval: soon}\n", "watchdog.yml")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse(
                "prometheus: {url: http://p:9090}\nserver: {tokens: [{name: ci, role: root, token: x}]}\n", "w.yml"))
                .getMessage().contains("unknown role 'root'"));
        String missing = assertThrows(ConfigException.class, () -> loader.parse(
                "prometheus: {url: \"${env:NOPE}\"}\n", "w.yml")).getMessage();
        assertEquals("w.yml:1: prometheus.url: environment variable NOPE is not set", missing);
        String badUrl = assertThrows(ConfigException.class, () -> loader.parse(
                "prometheus: {url: \"http://host/a b?token=" + TOKEN + "\"}\n", "w.yml")).getMessage();
        assertFalse(badUrl.contains(TOKEN), badUrl);
        assertTrue(badUrl.contains("url is not a valid URL"), badUrl);
    }

    @Test
    @DisplayName("a key given twice is refused with file, line and path, at any depth")
    void duplicateKeys() {
        assertEquals("watchdog.yml:3: duplicate key 'prometheus'", assertThrows(ConfigException.class, () -> loader.parse(
                "prometheus: {url: http://p:9090}\nevaluation: {interval: 15s}\nprometheus: {url: http://q:9090}\n",
                "watchdog.yml")).getMessage());
        assertEquals("watchdog.yml:5: duplicate key 'rollback.default.webhook.url'", assertThrows(ConfigException.class,
                () -> loader.parse("""
                        prometheus: {url: http://p:9090}
                        rollback:
                          default:
                            webhook: {url: "http://a/rollback",
                                      url: "http://b/rollback"}
                        """, "watchdog.yml")).getMessage());
        assertEquals("w.yml:4: duplicate key 'server.tokens[0].token'", assertThrows(ConfigException.class, () -> loader.parse("""
                prometheus: {url: http://p:9090}
                server:
                  tokens:
                    - {name: ci, role: viewer, token: a, token: b}
                """, "w.yml")).getMessage());
    }

    @Test
    @DisplayName("a YAML syntax error names file and line, and never quotes the line (it may hold a secret)")
    void syntaxErrorHidesTheLine() {
        String message = assertThrows(ConfigException.class, () -> loader.parse(
                "prometheus: {url: http://p:9090}\nserver: {tokens: [{name: ci, role: viewer, token: " + TOKEN + "}\n",
                "watchdog.yml")).getMessage();
        assertTrue(message.startsWith("watchdog.yml:3: not valid YAML: expected ','"), message);
        assertFalse(message.contains(TOKEN), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    @DisplayName("prometheus.url is required")
    void required() {
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("evaluation: {interval: 15s}\n", "w.yml"))
                .getMessage().contains("prometheus"));
    }

    @Test
    @DisplayName("grafana and github receivers: defaults filled, tokens masked, bad values named")
    void grafanaAndGitHub() {
        WatchdogConfig c = loader.parse("""
                prometheus: {url: http://p:9090}
                receivers:
                  dashboards: {grafana: {url: "https://grafana.example/", token: glsa_abc}}
                  postmortem: {github: {repo: acme/api, token: ghp_abc}}
                """, "w.yml");
        assertEquals("https://grafana.example", ((Grafana) c.receivers().get("dashboards").channel()).url());
        GitHub github = (GitHub) c.receivers().get("postmortem").channel();
        assertEquals("https://api.github.com", github.apiUrl());
        assertEquals(java.util.List.of(), github.labels());
        assertFalse(loader.print(c).contains("glsa_abc") || loader.print(c).contains("ghp_abc"), loader.print(c));
        assertEquals("w.yml:3: receivers.postmortem.github: github.repo must be OWNER/NAME", assertThrows(
                ConfigException.class, () -> loader.parse("prometheus: {url: http://p:9090}\nreceivers:\n"
                        + "  postmortem: {github: {repo: api, token: ghp_abc}}\n", "w.yml")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("prometheus: {url: http://p:9090}\nreceivers:\n"
                + "  dashboards: {grafana: {url: \"https://grafana.example\"}}\n", "w.yml")).getMessage()
                .contains("grafana.token is required"));
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("prometheus: {url: http://p:9090}\nreceivers:\n"
                + "  pager: {alertmanager: {resend: 1m}}\n", "w.yml")).getMessage().contains("alertmanager needs url or urls"));
        assertTrue(assertThrows(ConfigException.class, () -> loader.parse("prometheus: {url: http://p:9090}\nreceivers:\n"
                + "  both: {grafana: {url: \"https://g.example\", token: t}, github: {repo: a/b, token: t}}\n", "w.yml"))
                .getMessage().contains("exactly one of slack, telegram, alertmanager, webhook, grafana, github"));
    }

    @Test
    @DisplayName("the pipelines' receivers and people: defaults filled, every secret masked, bad values named without them")
    void pipelines() {
        WatchdogConfig c = loader.parse("""
                prometheus: {url: http://p:9090}
                receivers:
                  chat: {slack: {url: "https://hooks.slack.com/services/T0/B0/slack-url-secret", signingSecret: slack-signing-secret}}
                  bot: {telegram: {token: "123:tg-bot-secret", chatId: "-100", webhookSecret: tg-webhook-secret-1}}
                  pd: {pagerduty: {routingKey: pd-routing-secret, webhookSecret: pd-webhook-secret}}
                  deployments: {githubDeployments: {token: gh-deployments-secret}}
                  events: {cdevents: {url: "https://events.example/in", headers: {Authorization: "Bearer cde-header-secret"}}}
                people:
                  alice: {role: oncall, slack: U024BE7LH, telegram: "4242", pagerduty: PXPGF42}
                """, "w.yml");
        PagerDuty pd = (PagerDuty) c.receivers().get("pd").channel();
        assertEquals("https://events.pagerduty.com", pd.url());
        assertEquals("error", pd.p1Severity());
        assertEquals("https://api.github.com", ((GitHubDeployments) c.receivers().get("deployments").channel()).apiUrl());
        assertEquals("U024BE7LH", c.people().get("alice").slack());
        for (String shown : new String[] {loader.print(c), c.toString()}) {
            for (String secret : java.util.List.of("slack-url-secret", "slack-signing-secret", "tg-bot-secret",
                    "tg-webhook-secret-1", "pd-routing-secret", "pd-webhook-secret", "gh-deployments-secret", "cde-header-secret")) {
                assertFalse(shown.contains(secret), secret + " in " + shown);
            }
        }
        String head = "prometheus: {url: http://p:9090}\nreceivers:\n";
        assertEquals("w.yml:3: receivers.pd.pagerduty: pagerduty.p1Severity must be error or warning", assertThrows(
                ConfigException.class, () -> loader.parse(head + "  pd: {pagerduty: {routingKey: k, p1Severity: info}}\n",
                        "w.yml")).getMessage());
        String telegram = assertThrows(ConfigException.class, () -> loader.parse(head + "  bot: {telegram: {token: \"1:t\","
                + " chatId: \"-100\", webhookSecret: \"short secret!\"}}\n", "w.yml")).getMessage();
        assertTrue(telegram.contains("telegram.webhookSecret must be 16 to 256"), telegram);
        assertFalse(telegram.contains("short secret!"), telegram);
        String twice = assertThrows(ConfigException.class, () -> loader.parse("""
                prometheus: {url: http://p:9090}
                people:
                  alice: {role: oncall, slack: U024BE7LH}
                  bob: {role: oncall, slack: U024BE7LH}
                """, "w.yml")).getMessage();
        assertTrue(twice.contains("people.bob.slack is also people.alice.slack"), twice);
        String id = assertThrows(ConfigException.class, () -> loader.parse("""
                prometheus: {url: http://p:9090}
                people:
                  alice: {role: oncall, slack: alice}
                """, "w.yml")).getMessage();
        assertTrue(id.startsWith("w.yml:3: people.alice") && id.contains("slack must be a Slack user id"), id);
    }
}
