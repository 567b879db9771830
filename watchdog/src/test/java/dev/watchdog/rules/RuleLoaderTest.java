package dev.watchdog.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderTest {

    @TempDir
    Path dir;

    static final String GOOD = """
            groups:
              - name: golden-signals
                interval: 30s
                rules:
                  - name: error-rate
                    signal: errors
                    expr: sum(rate(x{service="{{service}}",status=~"5.."}[5m])) / sum(rate(x{service="{{service}}"}[5m]))
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                    for: 1m
                    after: 5m
                    noData: ok
                    guard: sum(rate(x{service="{{service}}"}[5m])) > 1
                    annotations:
                      summary: 5xx ratio
                      runbook: https://runbooks.example/error-rate
            """;

    static final String BAD = """
            groups:
              - name: broken
                rules:
                  - name: Error_Rate
                    signal: errors
                    expr: sum(x)
                    p1: "> 0.01"
                  - name: latency
                    signal: speed
                    expr: histogram_quantile(0.95, x{service={{service}}})
                    p0: "above 2"
                    for: 1 minute
                    severity: high
                  - name: no-threshold
                    signal: traffic
                    expr: sum(x)
                  - name: latency
                    signal: latency
                    expr: sum(y)
                    p1: "> 1"
            """;

    @Test
    @DisplayName("a well-formed rule file loads with every field")
    void loads() throws Exception {
        Rule rule = RuleLoader.load(List.of(write("good.yml", GOOD))).rules().get(0);
        assertEquals("error-rate", rule.name());
        assertEquals("golden-signals", rule.group());
        assertEquals(Rule.Signal.ERRORS, rule.signal());
        assertEquals("> 0.05", rule.judgement().p0().orElseThrow().text());
        assertEquals(java.time.Duration.ofMinutes(1), rule.judgement().forDuration());
        assertEquals(java.time.Duration.ofMinutes(5), rule.judgement().after());
        assertEquals(Judgement.NoData.OK, rule.judgement().noData());
        assertEquals(java.time.Duration.ofSeconds(30), rule.measure().interval().orElseThrow());
        assertEquals("https://runbooks.example/error-rate", rule.presentation().annotations().get("runbook"));
        assertEquals(5, rule.place().line(), "the line where the rule's entry starts");
    }

    @Test
    @DisplayName("watchdog check reports every problem with file, line and rule, and exits 1")
    void checkReportsEverything() throws Exception {
        Path bad = write("bad.yml", BAD);
        Cli.Result result = check(bad.toString());
        assertEquals(1, result.code());
        String out = result.out();
        assertTrue(out.contains(bad + ":4: rule Error_Rate: name must match [a-z0-9-]+"), out);
        assertTrue(out.contains(bad + ":9: rule latency: signal: 'speed' is not one of latency, traffic, errors"), out);
        assertTrue(out.contains(bad + ":10: rule latency: expr: placeholder {{service}} stands outside a string literal"), out);
        assertTrue(out.contains(bad + ":11: rule latency: p0: 'above 2' is not a threshold"), out);
        assertTrue(out.contains(bad + ":12: rule latency: for: '1 minute' is not a duration"), out);
        assertTrue(out.contains(bad + ":13: rule latency: unknown key 'severity'"), out);
        assertTrue(out.contains(bad + ":14: rule no-threshold: a rule needs p0, p1 or both"), out);
        assertTrue(out.contains(bad + ":17: rule latency: duplicate rule name (first at"), out);
        assertTrue(out.contains("8 problem(s)"), out);
    }

    @Test
    @DisplayName("watchdog check exits 0 on clean files and names what it read")
    void checkClean() throws Exception {
        Cli.Result result = check(write("good.yml", GOOD).toString());
        assertEquals(0, result.code(), result.out());
        assertTrue(result.out().contains("OK: 1 rules in 1 files"), result.out());
    }

    @Test
    @DisplayName("YAML syntax errors and unknown top-level keys are reported with their line")
    void syntax() throws Exception {
        Path broken = write("broken.yml", "groups:\n  - name: x\n    rules: [\n");
        Path extra = write("extra.yml", "groups: []\nrule_files: []\n");
        Cli.Result result = check(broken.toString(), extra.toString());
        assertEquals(1, result.code());
        assertTrue(result.out().contains(broken + ":") && result.out().contains("not valid YAML"), result.out());
        assertTrue(result.out().contains(extra + ":2: unknown key 'rule_files'"), result.out());
    }

    @Test
    @DisplayName("duplicate rule names across files name the first place")
    void duplicatesAcrossFiles() throws Exception {
        Path a = write("a.yml", GOOD);
        Path b = write("b.yml", GOOD);
        Cli.Result result = check(a.toString(), b.toString());
        assertEquals(1, result.code());
        assertTrue(result.out().contains(b + ":5: rule error-rate: duplicate rule name (first at " + a + ":5)"), result.out());
    }

    @Test
    @DisplayName("baselines, SLO rules, minTraffic and dry run are checked with their lines")
    void sreFeatures() throws Exception {
        Path bad = write("sre.yml", """
                dryRun: true
                groups:
                  - name: sre
                    rules:
                      - name: no-baseline
                        signal: latency
                        expr: p95{service="{{service}}"}
                        p1: "> +10%"
                      - name: slo-with-threshold
                        signal: availability
                        slo:
                          objective: 1.5
                          errors: sum(rate(e{service="{{service}}"}[5m]))
                          total: sum(rate(t{service="{{service}}"}[{{window}}]))
                        p1: "> 1"
                      - name: window-misused
                        signal: traffic
                        expr: sum(rate(t{service="{{service}}"}[{{window}}]))
                        baseline: yesterday
                        minTraffic: {expr: sum(t), atLeast: many}
                        p1: "< -20%"
                """);
        Cli.Result result = check(bad.toString());
        assertEquals(1, result.code());
        String out = result.out();
        assertTrue(out.contains(bad + ":5: rule no-baseline: a relative threshold (%) needs a baseline"), out);
        assertTrue(out.contains(bad + ":9: rule slo-with-threshold: an slo rule takes its severities from its windows"), out);
        assertTrue(out.contains(bad + ":12: rule slo-with-threshold: objective: '1.5' is not an objective"), out);
        assertTrue(out.contains(bad + ":13: rule slo-with-threshold: errors: must use {{window}}"), out);
        assertTrue(out.contains(bad + ":18: rule window-misused: expr: {{window}} is only for an slo's errors and total"), out);
        assertTrue(out.contains(bad + ":19: rule window-misused: baseline: 'yesterday' is not a baseline"), out);
        assertTrue(out.contains(bad + ":20: rule window-misused: atLeast: 'many' is not a number"), out);

        Path good = write("good-sre.yml", """
                dryRun: true
                groups:
                  - name: sre
                    rules:
                      - name: availability
                        signal: availability
                        slo:
                          objective: 99.9%
                          errors: sum(rate(e{service="{{service}}"}[{{window}}]))
                          total: sum(rate(t{service="{{service}}"}[{{window}}]))
                          windows: [{long: 1h, short: 5m, burnRate: 14.4, severity: p1}]
                          beforeRelease: include
                """);
        Rule slo = RuleLoader.load(List.of(good)).rules().get(0);
        assertTrue(slo.dryRun(), "a file's dryRun marks its rules");
        assertEquals(0.999, slo.measure().slo().orElseThrow().objective(), 1e-12);
        assertEquals(false, slo.measure().slo().orElseThrow().clip());
        assertEquals(java.util.Set.of("service"), RuleLoader.load(List.of(good)).variables());
    }

    static final String FLEET = """
            groups:
              - name: critical-web
                match: {service: "api|web", environment: production, labels: {tier: critical}}
                rules:
                  - name: error-rate
                    signal: errors
                    expr: sum by (service, environment) (rate(errors_total[5m]))
                    select: {service: "{{service}}", environment: "{{environment}}"}
                    p1: "> 1"
                    labels: {team: web, page: "yes"}
                    annotations:
                      summary: "errors of {{service}}"
                      description: "5xx answers per second"
                      runbook_url: https://runbooks.example/errors
              - name: everyone
                rules:
                  - name: orders
                    signal: business
                    expr: sum(increase(orders_total{service="{{service}}",shop="{{shop}}"}[{{since_release}}]))
                    baseline: offset 7d
                    p1: "< -20%"
                    significance: 0.01
            """;

    @Test
    @DisplayName("match, select, labels, annotations and significance load; a release gets only the rules its group matches")
    void fleet() throws Exception {
        RuleSet rules = RuleLoader.load(List.of(write("fleet.yml", FLEET)));
        Rule errors = rules.byName("error-rate").orElseThrow();
        assertEquals("service=~\"api|web\", environment=~\"production\", labels.tier=~\"critical\"",
                errors.scope().match().text());
        assertEquals(java.util.Map.of("service", "web", "environment", "production"),
                errors.scope().selected(java.util.Map.of("service", "web", "environment", "production")));
        assertEquals(java.util.Map.of("team", "web", "page", "yes"), errors.presentation().labels());
        assertEquals("errors of {{service}}", errors.presentation().summary());
        assertEquals("5xx answers per second", errors.presentation().description());
        assertEquals("https://runbooks.example/errors", errors.presentation().runbookUrl());
        assertEquals(0.01, rules.byName("orders").orElseThrow().judgement().test().orElseThrow().significance());

        assertEquals(List.of("error-rate", "orders"), names(rules, "web", "production", java.util.Map.of("tier", "critical")));
        assertEquals(List.of("orders"), names(rules, "webshop", "production", java.util.Map.of("tier", "critical")),
                "anchored: webshop is not web");
        assertEquals(List.of("orders"), names(rules, "api", "staging", java.util.Map.of("tier", "critical")));
        assertEquals(List.of("orders"), names(rules, "api", "production", java.util.Map.of()), "no tier label is \"\"");
        assertEquals(java.util.Set.of("service", "environment"), rules.byName("error-rate").orElseThrow().variables());
        assertEquals(java.util.Set.of("service", "shop"),
                rules.variables(release("api", "staging", java.util.Map.of())), "only the rules that apply");
    }

    static List<String> names(RuleSet rules, String service, String environment, java.util.Map<String, String> labels) {
        return rules.forRelease(release(service, environment, labels)).rules().stream().map(Rule::name).toList();
    }

    static dev.watchdog.core.Release release(String service, String environment, java.util.Map<String, String> labels) {
        return dev.watchdog.core.Release.hypothetical("rel_1", service, "1.0", null, environment, labels,
                java.time.Instant.parse("2026-11-21T10:00:00Z"));
    }

    @Test
    @DisplayName("a select rule that names a release in its queries, a bad match, labels the watchdog sets, a significance "
            + "without a relative threshold: each an error with its line")
    void fleetProblems() throws Exception {
        Path bad = write("fleet-bad.yml", """
                groups:
                  - name: g
                    match: {service: "api(", team: x, labels: {tier: "[", "0bad": x}}
                    rules:
                      - name: per-release
                        signal: errors
                        expr: sum(rate(errors_total{service="{{service}}"}[5m]))
                        guard: up{job="{{job}}"}
                        select: {service: "{{service}}"}
                        p1: "> 1"
                        labels: {severity: critical, "bad-name": x}
                        significance: 0.01
                      - name: empty-select
                        signal: errors
                        expr: sum(x)
                        select: {}
                        p1: "> 1"
                        significance: 0.9
                """);
        Cli.Result result = check(bad.toString());
        assertEquals(1, result.code());
        String out = result.out();
        assertTrue(out.contains(bad + ":3: match.service: 'api(' is not a regular expression"), out);
        assertTrue(out.contains(bad + ":3: unknown key 'team'"), out);
        assertTrue(out.contains(bad + ":3: match.labels.tier: '[' is not a regular expression"), out);
        assertTrue(out.contains(bad + ":3: match.labels: '0bad' is not a label name"), out);
        assertTrue(out.contains(bad + ":9: rule per-release: a select rule sends one query for every release, so its queries "
                + "must not use {{job}}, {{service}}"), out);
        assertTrue(out.contains(bad + ":11: rule per-release: labels.severity: the watchdog sets 'severity'"), out);
        assertTrue(out.contains(bad + ":11: rule per-release: labels: 'bad-name' is not a label name"), out);
        assertTrue(out.contains(bad + ":12: rule per-release: significance tests a change against the baseline (a "
                + "relative threshold, %) or a ratio's confidence bound against an absolute one: it needs a relative "
                + "threshold or total"), out);
        assertTrue(out.contains(bad + ":16: rule empty-select: select needs at least one label"), out);
        assertTrue(out.contains(bad + ":18: rule empty-select: significance: '0.9' is not a significance level"), out);
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    static Cli.Result check(String... files) {
        String[] args = new String[files.length + 1];
        args[0] = "check";
        System.arraycopy(files, 0, args, 1, files.length);
        return Cli.run(args);
    }
}
