package dev.watchdog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Cli;
import dev.watchdog.testing.RealProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code watchdog check} as a user runs it: PromQL parsed by the real promtool, keys given twice, exit codes. */
class CheckCommandTest {

    /** Eight rules, each with one kind of PromQL syntax error promtool rejects, in each kind of query field. */
    static final String BROKEN = """
            groups:
              - name: broken
                rules:
                  - name: unbalanced
                    signal: errors
                    expr: sum(rate(http_requests_total{service="{{service}}"}[5m])
                    p0: "> 0.05"
                  - name: unknown-function
                    signal: traffic
                    expr: sum(rate(http_requests_total{service="{{service}}"}[5m]))
                    guard: rte(http_requests_total{service="{{service}}"}[5m]) > 1
                    p1: "< 1"
                  - name: bad-duration
                    signal: latency
                    expr: |
                      histogram_quantile(0.95,
                        sum by (le) (rate(latency_bucket{service="{{service}}"}[5q])))
                    p0: "> 2"
                  - name: bad-matcher
                    signal: errors
                    expr: sum(rate(errors_total{service="{{service}}"}[5m]))
                    minTraffic: {expr: 'sum(rate(http_requests_total{service~"{{service}}"}[5m]))', atLeast: 1}
                    p0: "> 1"
                  - name: strings-added
                    signal: business
                    expr: '"orders" + "refunds"'
                    p1: "> 1"
                  - name: instant-to-rate
                    signal: traffic
                    expr: rate(http_requests_total{service="{{service}}"})
                    p1: "< 1"
                  - name: bad-regex
                    signal: errors
                    expr: sum(rate(http_requests_total{service="{{service}}",status=~"5(.."}[5m]))
                    p0: "> 1"
                  - name: slo-arity
                    signal: availability
                    slo:
                      objective: 99.9%
                      errors: sum(rate(http_requests_total{service="{{service}}",status=~"5.."}[{{window}}]))
                      total: histogram_quantile(sum(rate(http_requests_total{service="{{service}}"}[{{window}}])))
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void needsPromtool() {
        RealProcess.binary("promtool", "prometheus");
    }

    @Test
    @DisplayName("each of eight PromQL syntax errors is reported at file:line with rule, field and promtool's words; exit 1")
    void eightSyntaxErrors() throws Exception {
        Path file = write("broken.yml", BROKEN);
        Cli.Result result = Cli.run("check", file.toString());
        assertEquals(1, result.code(), result.out());
        Map<String, String> expected = Map.of(
                at(file, BROKEN, "expr: sum(rate(http_requests_total{service=\"{{service}}\"}[5m])\n") + "rule unbalanced: expr: ",
                "1:57: parse error: unclosed left parenthesis",
                at(file, BROKEN, "guard: rte(") + "rule unknown-function: guard: ", "unknown function with name \"rte\"",
                at(file, BROKEN, "expr: |") + "rule bad-duration: expr: ", "bad duration syntax",
                at(file, BROKEN, "minTraffic:") + "rule bad-matcher: minTraffic.expr: ", "unexpected character inside braces: '~'",
                at(file, BROKEN, "expr: '\"orders\"") + "rule strings-added: expr: ",
                "binary expression must contain only scalar and instant vector types",
                at(file, BROKEN, "expr: rate(") + "rule instant-to-rate: expr: ",
                "expected type range vector in call to function \"rate\", got instant vector",
                at(file, BROKEN, "status=~\"5(..\"") + "rule bad-regex: expr: ", "1:52: parse error: error parsing regexp",
                at(file, BROKEN, "total: histogram_quantile(") + "rule slo-arity: slo.total: ",
                "expected 2 argument(s) in call to \"histogram_quantile\", got 1");
        List<String> lines = result.out().lines().toList();
        expected.forEach((prefix, words) -> assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix) && l.contains(words)),
                prefix + "... " + words + " in:\n" + result.out()));
        assertTrue(result.out().contains("\n8 problem(s)"), result.out());
    }

    @Test
    @DisplayName("an averaged baseline is parsed as the watchdog sends it, and clean files pass with promtool named")
    void baselineAndClean() throws Exception {
        Path clean = write("clean.yml", """
                groups:
                  - name: ok
                    rules:
                      - name: latency
                        signal: latency
                        expr: histogram_quantile(0.95, sum by (le) (rate(latency_bucket{service="{{service}}",cluster="{{cluster}}"}[5m])))
                        baseline: before-release 1h
                        p1: "> +20%"
                """);
        Cli.Result ok = Cli.run("check", clean.toString());
        assertEquals(0, ok.code(), ok.out());
        assertEquals("OK: 1 rules in 1 files; PromQL parsed by promtool\n", ok.out());
        String ranged = """
                groups:
                  - name: ranged
                    rules:
                      - name: ranged
                        signal: traffic
                        expr: http_requests_total{service="{{service}}"}[5m]
                        baseline: before-release 1h
                        p1: "< -20%"
                """;
        Path file = write("ranged.yml", ranged);
        Cli.Result bad = Cli.run("check", file.toString());
        assertEquals(1, bad.code(), bad.out());
        assertTrue(bad.out().startsWith(at(file, ranged, "baseline:") + "rule ranged: baseline: ")
                && bad.out().contains("subquery is only allowed on instant vector"), bad.out());
    }

    @Test
    @DisplayName("structural problems and PromQL errors of other rules are reported in one run, in file and line order")
    void mixed() throws Exception {
        String text = """
                groups:
                  - name: g
                    rules:
                      - name: Bad_Name
                        signal: errors
                        expr: sum(x)
                        p0: "> 1"
                      - name: unparsable
                        signal: errors
                        expr: sum(x
                        p0: "> 1"
                """;
        Path file = write("mixed.yml", text);
        Cli.Result result = Cli.run("check", file.toString());
        assertEquals(1, result.code(), result.out());
        List<String> lines = result.out().lines().toList();
        assertTrue(lines.get(0).startsWith(file + ":4: rule Bad_Name: name must match"), result.out());
        assertTrue(lines.get(1).startsWith(file + ":10: rule unparsable: expr: 1:6: parse error:"), result.out());
        assertEquals("2 problem(s)", lines.get(2));
    }

    @Test
    @DisplayName("a key given twice in a rule file is refused at its line, naming the first")
    void duplicateKeysInRules() throws Exception {
        Path file = write("twice.yml", """
                groups:
                  - name: g
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: sum(rate(errors_total[5m]))
                        p0: "> 0.05"
                        expr: sum(rate(other_total[5m]))
                        minTraffic: {expr: sum(x), atLeast: 1, atLeast: 2}
                """);
        Cli.Result result = Cli.run("check", file.toString());
        assertEquals(1, result.code(), result.out());
        assertTrue(result.out().contains(file + ":8: duplicate key 'expr' (first at line 6)"), result.out());
        assertTrue(result.out().contains(file + ":9: duplicate key 'atLeast' (first at line 9)"), result.out());
    }

    @Test
    @DisplayName("a key given twice in watchdog.yml is refused with file:line and its path")
    void duplicateKeysInConfig() throws Exception {
        write("rules.yml", "groups: []\n");
        Path config = write("watchdog.yml", """
                prometheus:
                  url: http://localhost:9090
                  timeout: 10s
                  url: http://elsewhere:9090
                rules: [rules.yml]
                """);
        Cli.Result result = Cli.run("check", "--config", config.toString());
        assertEquals(1, result.code(), result.out());
        assertEquals(config + ":4: duplicate key 'prometheus.url'\n", result.out());
    }

    @Test
    @DisplayName("a promtool that fails is an error naming it; a --promtool that is not there is a usage error")
    void promtoolFails() throws Exception {
        Path file = write("ok.yml", """
                groups:
                  - name: g
                    rules:
                      - {name: up, signal: availability, expr: up, p0: "< 1"}
                """);
        Path fake = write("promtool", "#!/bin/sh\necho 'promtool: error: unknown long flag --lint'\nexit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        Cli.Result failed = Cli.run("check", "--promtool", fake.toString(), file.toString());
        assertEquals(1, failed.code(), failed.out());
        assertTrue(failed.out().contains("watchdog check: PromQL was not parsed: promtool failed: promtool: error: unknown long flag"),
                failed.out());
        Cli.Result missing = Cli.run("check", "--promtool", dir.resolve("nope").toString(), file.toString());
        assertEquals(64, missing.code(), "a usage error: " + missing.out());
        assertTrue(missing.out().contains("--promtool: " + dir.resolve("nope") + " is not an executable promtool"), missing.out());
        assertFalse(missing.out().contains("OK:"), missing.out());
    }

    /** "FILE:LINE: " for the first line of {@code text} that contains {@code needle}. */
    static String at(Path file, String text, String needle) {
        int offset = text.indexOf(needle);
        assertTrue(offset >= 0, needle);
        return file + ":" + (text.substring(0, offset).split("\n", -1).length) + ": ";
    }

    static final String FLEET = """
            groups:
              - name: fleet
                rules:
                  - name: error-rate
                    signal: errors
                    expr: sum by (service, environment) (rate(errors_total[5m]))
                    select: {service: "{{service}}", environment: "{{environment}}"}
                    minTraffic: {expr: 'sum by (service, environment) (increase(requests_total[5m]))', atLeast: 100}
                    p0: "> 0.05"
              - name: shops
                match: {service: "shop-.*", labels: {tier: critical}}
                rules:
                  - name: orders
                    signal: business
                    expr: sum(increase(orders_total{service="{{service}}",shop="{{shop}}"}[{{since_release}}]))
                    baseline: offset 7d
                    p1: "< -20%"
                    significance: 0.01
            """;

    @Test
    @DisplayName("--release lists the rules a release would get, the queries they would send, and the variables it lacks")
    void release() throws Exception {
        Path file = write("fleet.yml", FLEET);
        Cli.Result shop = Cli.run("check", "--release", "service=shop-eu,tier=critical,shop=eu", file.toString());
        assertEquals(0, shop.code(), shop.out());
        assertTrue(shop.out().contains("Release service=shop-eu environment=production labels {shop=eu, tier=critical}: "
                + "2 of 2 rules apply"), shop.out());
        assertTrue(shop.out().contains("\n  expr, once per tick for every release; this one's series: service=\"shop-eu\", "
                + "environment=\"production\":\n    sum by (service, environment) (rate(errors_total[5m]))\n"), shop.out());
        assertTrue(shop.out().contains("""
                orders (%s:13, group shops, match service=~"shop-.*", labels.tier=~"critical")
                  expr:
                    sum(increase(orders_total{service="shop-eu",shop="eu"}[{{since_release}}]))
                  baseline offset 7d:
                    expr at the evaluation's time minus 7d""".formatted(file)), shop.out());

        Cli.Result api = Cli.run("check", "--release", "service=api,environment=staging", file.toString());
        assertEquals(0, api.code(), api.out());
        assertTrue(api.out().contains("1 of 2 rules apply"), api.out());
        assertTrue(api.out().contains("Not for this release:\n  orders (group shops, match service=~\"shop-.*\", "
                + "labels.tier=~\"critical\")"), api.out());

        Cli.Result lacking = Cli.run("check", "--release", "service=shop-us,tier=critical", file.toString());
        assertEquals(1, lacking.code(), lacking.out());
        assertTrue(lacking.out().contains("A registration without labels.shop is refused: the rules above use {{shop}}"),
                lacking.out());
        assertEquals(2, Cli.run("check", "--release", "environment=production", file.toString()).code());
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    @DisplayName("--config: a token short enough to guess is refused, named, never quoted")
    void weakToken() throws Exception {
        Files.writeString(dir.resolve("empty.yml"), "groups: []\n");
        Path config = write("weak.yml", """
                prometheus: {url: "http://localhost:9090"}
                rules: [empty.yml]
                server:
                  tokens:
                    - {name: ci, role: deployer, token: "abc123"}
                    - {name: oncall, role: oncall, token: "a-long-enough-token-0123"}
                """);
        Cli.Result result = Cli.run("check", "--config", config.toString());
        assertEquals(1, result.code(), result.out());
        assertEquals(config + ": server.tokens[0] (ci): the token is shorter than 16 characters; make one with:"
                + " openssl rand -hex 32\n", result.out());
    }

    @Test
    @DisplayName("--config: a Slack URL without a scheme is refused when the config is read, the key named, the URL never quoted")
    void slackUrlWithoutScheme() throws Exception {
        Files.writeString(dir.resolve("empty.yml"), "groups: []\n");
        Path config = write("slack.yml", """
                prometheus: {url: "http://localhost:9090"}
                rules: [empty.yml]
                receivers:
                  rm: {slack: {url: "hooks.slack.com/services/T0/B0/XYZsecret"}}
                """);
        Cli.Result result = Cli.run("check", "--config", config.toString());
        assertEquals(1, result.code(), result.out());
        assertTrue(result.out().contains("receivers.rm.slack: slack.url must be an absolute http(s) URL"), result.out());
        assertFalse(result.out().contains("XYZsecret"), result.out());
    }

    @Test
    @DisplayName("--config with five problems prints five, each with its line, in one run")
    void everyProblemAtOnce() throws Exception {
        Files.writeString(dir.resolve("one.yml"), "groups: [{name: g, rules: [{name: r, expr: up, p1: \"> 1\"}]}]\n");
        Path config = write("five.yml", """
                prometheus: {url: "http://localhost:9090", timeout: 10mins}
                evaluation: {intreval: 15s}
                rules: [one.yml]
                server:
                  tokens: [{name: ci, role: deployer, token: "${env:NOT_SET_ANYWHERE}"}]
                receivers:
                  rm: {slack: {url: "hooks.slack.com/services/T0/B0/XYZsecret"}}
                  devops: {telegram: {token: "123:abc", chatId: "devops"}}
                """);
        Cli.Result result = Cli.run("check", "--config", config.toString());
        assertEquals(1, result.code(), result.out());
        List<String> lines = result.out().lines().toList();
        assertEquals(5, lines.size(), result.out());
        assertTrue(lines.get(0).startsWith(config + ":1: prometheus.timeout: "), lines.get(0));
        assertEquals(config + ":2: unknown key 'evaluation.intreval'", lines.get(1));
        assertEquals(config + ":5: server.tokens[0].token: environment variable NOT_SET_ANYWHERE is not set", lines.get(2));
        assertEquals(config + ":7: receivers.rm.slack: slack.url must be an absolute http(s) URL", lines.get(3));
        assertEquals(config + ":8: receivers.devops.telegram: telegram.chatId must be a chat id (-1001234567890) or"
                + " @channelname", lines.get(4));
        assertFalse(result.out().contains("XYZsecret"), result.out());
    }

    @Test
    @DisplayName("--config whose rule patterns match no file is refused: a watchdog with nothing to judge by is no watchdog")
    void rulesMatchingNothing() throws Exception {
        Path config = write("norules.yml", """
                prometheus: {url: "http://localhost:9090"}
                rules: [../../rules/*.yml]
                """);
        Cli.Result result = Cli.run("check", "--config", config.toString());
        assertEquals(1, result.code(), result.out());
        assertEquals(config + ": rules [../../rules/*.yml] match no file beside the config; the documented install keeps"
                + " the rule files in rules/ beside it\n", result.out());
    }

    @Test
    @DisplayName("lint: a comparison inside expr is a warning with the fix; an unquoted threshold says how to quote it")
    void promqlHabits() throws Exception {
        Path compares = write("compares.yml", """
                groups:
                  - name: g
                    rules:
                      - name: errors
                        signal: errors
                        expr: sum(rate(errors_total{service="{{service}}"}[5m])) > 0.02
                        p1: "> 0"
                      - name: ratio
                        signal: errors
                        expr: sum(rate(errors_total[5m])) > bool 0.02
                        p1: "> 0"
                """);
        Cli.Result warned = Cli.run("check", compares.toString());
        assertEquals(0, warned.code(), warned.out());
        assertTrue(warned.out().contains(compares + ":4: rule errors: warning: expr compares (> 0.02): while healthy it"
                + " returns no series, so the rule reads no data and never recovers; let expr give the value, and the"
                + " threshold the number (\"> 0.02\")"), warned.out());
        assertFalse(warned.out().contains("rule ratio"), "a bool comparison keeps its series: " + warned.out());

        Path unquoted = write("unquoted.yml", """
                groups:
                  - name: g
                    rules:
                      - name: errors
                        signal: errors
                        expr: sum(rate(errors_total[5m]))
                        p1: > 0.02
                """);
        Cli.Result refused = Cli.run("check", unquoted.toString());
        assertEquals(1, refused.code(), refused.out());
        assertEquals(unquoted + ":7: p1: a threshold beginning with > must be quoted (YAML reads it as a block of text):"
                + " write p1: \"> 0.02\"\n1 problem(s)\n", refused.out());
    }

    @Test
    @DisplayName("lint --prometheus: a selector that matches no series (a misspelt metric) is a warning; one that matches is not")
    void selectorsMatchingNothing() throws Exception {
        com.sun.net.httpserver.HttpServer fake = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        fake.createContext("/api/v1/series", exchange -> {
            String match = java.net.URLDecoder.decode(exchange.getRequestURI().getRawQuery().replaceAll(".*match\\[]=([^&]*).*", "$1"),
                    java.nio.charset.StandardCharsets.UTF_8);
            asked.add(match);
            String data = match.startsWith("http_requests_total") ? "[{\"__name__\":\"http_requests_total\"}]" : "[]";
            byte[] body = ("{\"status\":\"success\",\"data\":" + data + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        fake.start();
        try {
            Path rules = write("selectors.yml", """
                    groups:
                      - name: g
                        rules:
                          - name: errors
                            signal: errors
                            expr: |
                              sum by (service) (rate(http_requests_total{service="{{service}}",status=~"5.."}[5m]))
                                / sum by (service) (rate(http_requets_total{service="{{service}}"}[5m]))
                            p1: "> 0.01"
                    """);
            String url = "http://127.0.0.1:" + fake.getAddress().getPort();
            Cli.Result result = Cli.run("check", "--prometheus", url, rules.toString());
            assertEquals(0, result.code(), result.out());
            assertEquals(List.of("http_requests_total{status=~\"5..\"}", "http_requets_total"), asked);
            assertTrue(result.out().contains(rules + ":4: rule errors: warning: http_requets_total matches no series in " + url
                    + " in the last hour: a misspelt metric or label? The rule would read no data"), result.out());
            assertFalse(result.out().contains("warning: http_requests_total"), result.out());
        } finally {
            fake.stop(0);
        }
    }
}
