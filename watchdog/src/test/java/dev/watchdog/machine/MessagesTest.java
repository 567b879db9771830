package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Series;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notification;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.MachineTest.Life;
import dev.watchdog.rules.RuleFixtures;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What people read in Slack, Telegram and Alertmanager: each message's title and lines, values in the rule's unit. */
class MessagesTest {

    static final String CONFIG = """
            prometheus: {url: "http://127.0.0.1:1"}
            server: {externalUrl: "https://watchdog.example"}
            receivers:
              rm: {slack: {url: "https://hooks.example/rm"}}
              cto: {slack: {url: "https://hooks.example/cto"}}
              pager: {alertmanager: {url: "http://127.0.0.1:9093"}}
            escalation:
              default:
                levels:
                  - {after: 0m, notify: [rm, pager]}
                  - {after: 15m, notify: [cto]}
                repeat: 10m
                checkpoints: [5m]
                summary: [error-rate, throughput, a-canary]
            rollback:
              default:
                webhook: {url: "https://deployer.example/rollback"}
                verify: 10m
            """;
    static final Context CTX = new Context(new ConfigLoader(n -> null).parse(CONFIG, "test.yml"), RuleFixtures.ruleSet("""
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                    annotations:
                      summary: "{{service}} errors over 1 %"
                      description: "Errors in {{environment}} since the release"
                      runbook: https://runbooks.example/errors
                  - name: latency
                    signal: latency
                    expr: p95{service="{{service}}"}
                    unit: seconds
                    p0: "> 2"
                  - name: throughput
                    signal: traffic
                    expr: sum(rate(requests{service="{{service}}"}[5m]))
                    unit: count
                    baseline: offset 1d
                    p1: "< -20%"
                  - name: a-canary
                    signal: errors
                    expr: canary_errors{service="{{service}}"}
                    unit: count
                    p0: "> 0"
                    dryRun: true
                  - name: canary-errors
                    signal: errors
                    expr: sum by (version) (increase(errors_total{service="{{service}}"}[{{since_release}}]))
                    total: sum by (version) (increase(requests_total{service="{{service}}"}[{{since_release}}]))
                    unit: ratio
                    baseline: previous-version
                    p1: "> +50%"
                    significance: 0.01
            """));
    static final Machine MACHINE = new Machine(CTX);

    static Observation values(double value) {
        return new Observation.Values(List.of(new Series(Map.of(), value)));
    }

    /** Throughput against yesterday's. */
    static Observation against(double value, double baseline) {
        return Observation.Values.against(List.of(new Series(Map.of(), value)), "offset 1d", List.of(new Series(Map.of(), baseline)));
    }

    static Input.Observe observe(Object... ruleAndObservation) {
        Map<String, Observation> seen = new LinkedHashMap<>();
        for (int i = 0; i < ruleAndObservation.length; i += 2) {
            Object o = ruleAndObservation[i + 1];
            seen.put((String) ruleAndObservation[i], o instanceof Observation ob ? ob : values(((Number) o).doubleValue()));
        }
        return new Input.Observe(seen);
    }

    /** The message the last step sent to {@code receiver} as a notice of {@code kind}. */
    static Message said(Life life, String kindAndReceiver) {
        return life.last().effects().stream().filter(Effect.Notify.class::isInstance)
                .map(e -> ((Effect.Notify) e).notification())
                .filter(n -> (n.kind().label() + ":" + n.receiver()).equals(kindAndReceiver)).findFirst()
                .orElseThrow(() -> new AssertionError(kindAndReceiver + " not in " + life.notified())).message();
    }

    static String acknowledge(Life life) {
        return "Acknowledge: watchdog release ack " + life.watch.id() + " --reason '...'   or   POST "
                + "https://watchdog.example/api/v1/releases/" + life.watch.id() + "/ack";
    }

    static String decide(Life life) {
        return "Decide: watchdog release rollback " + life.watch.id() + "   |   watchdog release accept " + life.watch.id();
    }

    static Life degraded() {
        return new Life(MACHINE).at(Duration.ofSeconds(15), observe("error-rate", 0.0234));
    }

    @Test
    @DisplayName("a P1's page: the release, the rule's value against its threshold in percent, its notes, how to act")
    void p1Page() {
        Life life = degraded();
        Message m = said(life, "opened:rm");
        String incident = life.watch.incident().id();
        assertEquals("[P1] Breach in api 1.4.0 (production): error-rate 2.34 %", m.title());
        assertEquals(List.of("- error-rate: 2.34 % (P1 > 1 %): api errors over 1 %",
                "  Errors in production since the release",
                "  Runbook: https://runbooks.example/errors",
                "Severity P1 (the team decides) | level 1 of 2 | open for 0s | incident " + incident,
                acknowledge(life), decide(life)), m.lines());
        assertEquals("https://runbooks.example/errors", m.runbook());
        assertEquals("https://watchdog.example/#" + life.watch.id(), m.link());
        assertEquals(List.of("error-rate"), m.rules());
        assertEquals("api errors over 1 %", m.note("error-rate").summary());
        assertTrue(m.firing());
        assertEquals("P1", m.severity());
    }

    /** A canary's errors and requests since the release beside the previous version's. */
    static Observation canary(double errors, double requests, double oldErrors, double oldRequests) {
        List<Series> e = List.of(new Series(Map.of("version", "1.4.0"), errors), new Series(Map.of("version", "1.3.2"), oldErrors));
        List<Series> n = List.of(new Series(Map.of("version", "1.4.0"), requests),
                new Series(Map.of("version", "1.3.2"), oldRequests));
        return new Observation.Values(new dev.watchdog.judge.Sample(e, n), Map.of(),
                new dev.watchdog.judge.Split("version", "1.4.0", "1.3.2"), null, Map.of());
    }

    @Test
    @DisplayName("a rule with a test pages with its evidence: the change, its interval, what it is against, the counts")
    void evidence() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("canary-errors", canary(96, 4800, 216, 43_200)));
        Message m = said(life, "opened:rm");
        assertEquals("[P1] Breach in api 1.4.0 (production): canary-errors 2 %", m.title());
        assertEquals("- canary-errors: 2 % against baseline 0.5 % (P1 > +50%)", m.lines().get(0));
        assertTrue(m.lines().get(1).matches("  ratio \\+300 % \\[\\+\\d+ %, \\+\\d+ %\\] against the previous version \\(1\\.3\\.2\\); "
                + "96 of 4800 and 216 of 43200 requests; the new version has 10 % of the traffic"), m.lines().get(1));
    }

    @Test
    @DisplayName("a page repeated says how long the incident has been open, to the second")
    void repeated() {
        Life life = degraded().at(Duration.ofMinutes(10).plusSeconds(20), new Input.Tick());
        Message m = said(life, "repeated:rm");
        assertEquals("[P1] Still unacknowledged: api 1.4.0 (production): error-rate 2.34 %", m.title());
        assertTrue(m.lines().contains("Severity P1 (the team decides) | level 1 of 2 | open for 10m5s | incident "
                + life.watch.incident().id()), m.lines().toString());
        assertTrue(m.lines().contains(acknowledge(life)), m.lines().toString());
        Message up = said(degraded().at(Duration.ofMinutes(15).plusSeconds(15), new Input.Tick()), "escalated:cto");
        assertEquals("[P1] Escalated (level 2): api 1.4.0 (production): error-rate 2.34 %", up.title());
    }

    @Test
    @DisplayName("a P0's page says it rolls back and leads with the worst rule; a rule without notes has no summary")
    void p0Page() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("error-rate", 0.0234, "latency", 3.456));
        Message m = said(life, "opened:pager");
        assertEquals("[P0] Rolling back api 1.4.0 (production): latency 3.46 s", m.title());
        assertTrue(m.lines().contains("- latency: 3.46 s (P0 > 2 s)"), m.lines().toString());
        assertTrue(m.lines().contains("- error-rate: 2.34 % (P1 > 1 %): api errors over 1 %"), m.lines().toString());
        assertTrue(m.lines().contains("Severity P0 (automatic rollback) | level 1 of 2 | open for 0s | incident "
                + life.watch.incident().id()), m.lines().toString());
    }

    @Test
    @DisplayName("a relative rule's breach shows its value against the baseline, and the threshold as written")
    void baseline() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("throughput", against(712.4, 1000)));
        Message m = said(life, "opened:rm");
        assertEquals("[P1] Breach in api 1.4.0 (production): throughput 712", m.title());
        assertEquals("- throughput: 712 against baseline 1000 (P1 < -20%)", m.lines().get(0));
        assertEquals(null, m.runbook(), "no rule of the incident has a runbook");
    }

    @Test
    @DisplayName("an acknowledgement is no page: no way to acknowledge again; a decision says who and why")
    void decisions() {
        Life life = degraded().at(Duration.ofMinutes(1), new Input.Ack("alice", "looking"));
        Message ack = said(life, "acknowledged:rm");
        assertEquals("[P1] Acknowledged: api 1.4.0 (production): error-rate 2.34 %", ack.title());
        assertFalse(ack.lines().contains(acknowledge(life)), ack.lines().toString());
        life.at(Duration.ofMinutes(2), new Input.Accept("alice", "known slow path"));
        Message accepted = said(life, "accepted:rm");
        assertEquals("[P1] Accepted, release kept: api 1.4.0 (production): error-rate 2.34 %", accepted.title());
        assertEquals("By alice: known slow path", accepted.lines().get(accepted.lines().size() - 1));
        assertFalse(accepted.lines().contains(decide(life)), "accepted: nothing left to decide");
        assertFalse(accepted.firing());
        Life noReason = degraded().at(Duration.ofMinutes(1), new Input.DecideRollback("bob", null));
        Message decided = said(noReason, "rollback_decided:rm");
        assertEquals("[P1] Rollback decided: api 1.4.0 (production): error-rate 2.34 %", decided.title());
        assertEquals("By bob", decided.lines().get(decided.lines().size() - 1));
    }

    @Test
    @DisplayName("a page after a decision asks again: another rule breaching an accepted release says nothing of who accepted")
    void pageAfterDecision() {
        Life life = degraded().at(Duration.ofMinutes(1), new Input.Accept("alice", "known slow path"));
        life.at(Duration.ofMinutes(2), observe("error-rate", 0.0234, "throughput", against(700, 1000)));
        Message m = said(life, "reopened:rm");
        assertTrue(m.title().startsWith("[P1] Breaching again: api 1.4.0 (production): "), m.title());
        assertTrue(m.lines().contains(acknowledge(life)), m.lines().toString());
        assertTrue(m.lines().stream().noneMatch(l -> l.startsWith("By ")), m.lines().toString());
    }

    @Test
    @DisplayName("a failed rollback says the version is still deployed, and how to try again or act by hand")
    void rollbackFailed() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("error-rate", 0.2));
        life.at(Duration.ofMinutes(5), MachineTest.answered(life, false));
        Message m = said(life, "rollback_failed:cto");
        assertEquals("[P0] ROLLBACK FAILED: api 1.4.0 (production): error-rate 20 %", m.title());
        assertEquals(List.of("- error-rate: 20 % (P0 > 5 %): api errors over 1 %",
                "  Errors in production since the release",
                "  Runbook: https://runbooks.example/errors",
                "The rollback webhook failed: 1.4.0 is still deployed.",
                "Decide: try again with watchdog release rollback " + life.watch.id()
                        + "   |   or act by hand, then watchdog release accept " + life.watch.id() + " --reason '...'",
                "Severity P0 (automatic rollback) | level 2 of 2 | open for 4m45s | incident " + life.watch.incident().id(),
                acknowledge(life)), m.lines(), "one Decide line: the cause's");
    }

    @Test
    @DisplayName("a rollback that did not restore health says the rules are still breaching")
    void notRecovered() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("error-rate", 0.2));
        life.at(Duration.ofSeconds(20), MachineTest.answered(life, true));
        life.at(Duration.ofMinutes(10).plusSeconds(20), new Input.Tick());
        Message m = said(life, "not_recovered:rm");
        assertEquals("[P0] ROLLBACK DID NOT RESTORE HEALTH: api 1.4.0 (production): error-rate 20 %", m.title());
        assertTrue(m.lines().contains("The rollback was done, but the rules above are still breaching."), m.lines().toString());
    }

    @Test
    @DisplayName("watching: what, for how long, when the verdict comes")
    void watching() {
        Life life = new Life(MACHINE);
        Message m = said(life, "watching:rm");
        assertEquals("Watching api 1.4.0 (production) for 2h, healthy verdict at 2026-11-21T10:30:00Z", m.title());
        assertEquals(List.of("Release " + life.watch.id() + " | started 2026-11-21T10:00:00Z"), m.lines());
        assertEquals("https://watchdog.example/#" + life.watch.id(), m.link());
        assertFalse(m.firing());
    }

    @Test
    @DisplayName("a checkpoint summarises the policy's rules: outcome, value in the unit, baseline, dry run")
    void checkpoint() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), observe("error-rate", 0.00123, "latency", 0.39,
                "throughput", against(1010, 990), "a-canary", 0));
        life.at(Duration.ofMinutes(5), new Input.Tick());
        Message m = said(life, "checkpoint:rm");
        assertEquals("T+5m api 1.4.0 (production): watching", m.title());
        assertEquals(List.of("- error-rate: ok 0.123 %", "- throughput: ok 1010 (baseline 990)", "- a-canary: ok 0 [dry run]",
                "Release " + life.watch.id() + " | started 2026-11-21T10:00:00Z"), m.lines());
    }

    @Test
    @DisplayName("without a summary in the policy, the all clear lists every rule judged")
    void allClear() {
        Life life = new Life().at(Duration.ofMinutes(1), MachineTest.errorRate(0.001));
        life.at(Duration.ofMinutes(30), new Input.Tick());
        Message m = said(life, "all_clear:rm");
        assertEquals("All clear: api 1.4.0 (production) at T+30m: healthy", m.title());
        assertEquals(List.of("- error-rate: ok 0.1 %", "Release " + life.watch.id() + " | started 2026-11-21T10:00:00Z"),
                m.lines());
    }

    @Test
    @DisplayName("unjudged: never 'All clear'; each rule says why it could not judge, and what to check")
    void unjudged() {
        Life life = new Life().at(Duration.ofMinutes(1), observe("error-rate", new Observation.GuardNotMet(
                "fewer than 100 requests in the window")));
        life.at(Duration.ofMinutes(30), new Input.Tick());
        Message m = said(life, "unjudged:rm");
        assertEquals("Unjudged, not healthy: api 1.4.0 (production) at T+30m: no rule had anything to judge: check that"
                + " its metrics reach Prometheus with the labels the rules select", m.title());
        assertEquals(List.of("- error-rate: inconclusive (fewer than 100 requests in the window)",
                "Release " + life.watch.id() + " | started 2026-11-21T10:00:00Z"), m.lines());
    }

    @Test
    @DisplayName("blind: only the failing rules, with why; it fires until seeing again, which does not")
    void blind() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), observe("error-rate", new Observation.Failed(
                "connection refused"), "throughput", against(1010, 990)));
        life.at(Duration.ofMinutes(6), new Input.Tick());
        Message m = said(life, "blind:pager");
        assertEquals("Cannot see api 1.4.0 (production): queries keep failing (no rollback for this)", m.title());
        assertEquals(List.of("- error-rate: error (connection refused)",
                "Release " + life.watch.id() + " | started 2026-11-21T10:00:00Z"), m.lines());
        assertTrue(m.firing());
        life.at(Duration.ofMinutes(7), observe("error-rate", 0.001));
        Message seeing = said(life, "seeing:rm");
        assertEquals("Seeing api 1.4.0 (production) again: queries answer", seeing.title());
        assertFalse(seeing.firing());
    }

    @Test
    @DisplayName("a blind watch keeps firing at level 1's Alertmanager; under a policy a reload removed, at nobody")
    void blindFiring() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), observe("error-rate", new Observation.Failed("timeout")));
        life.at(Duration.ofMinutes(6), new Input.Tick());
        List<Notification> firing = Firing.of(life.watch, CTX, life.now);
        assertEquals(List.of("blind:pager"), firing.stream().map(n -> n.kind().label() + ":" + n.receiver()).toList());
        assertEquals("Cannot see api 1.4.0 (production): queries keep failing (no rollback for this)",
                firing.get(0).message().title());
        Context reloaded = new Context(new ConfigLoader(n -> null).parse(CONFIG.replace("  default:\n    levels", "  other:\n    levels"),
                "test.yml"), CTX.rules());
        assertEquals(List.of(), Firing.of(life.watch, reloaded, life.now));
    }
}
