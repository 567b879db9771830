package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Series;
import dev.watchdog.incident.Incident;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.MachineTest.Life;
import dev.watchdog.release.Event;
import dev.watchdog.rules.RuleFixtures;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What observations and passing time make of a release: incidents, lifecycle moves, rollbacks and their verification. */
class JudgingTest {

    static final Machine MACHINE = new Machine(new Context(new ConfigLoader(n -> null).parse("""
            prometheus: {url: "http://127.0.0.1:1"}
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
                autoRollbackAfter: 45m
            rollback:
              default:
                webhook: {url: "https://deployer.example/rollback"}
                verify: 10m
            """, "test.yml"), RuleFixtures.ruleSet("""
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                  - name: latency
                    signal: latency
                    expr: p95{service="{{service}}"}
                    unit: seconds
                    p0: "> 2"
                  - name: a-canary
                    signal: errors
                    expr: canary_errors{service="{{service}}"}
                    unit: count
                    p0: "> 0"
                    dryRun: true
            """)));

    /** An observation of each rule named: {@code "rule", value, ...}. */
    static Input.Observe observe(Object... ruleAndValue) {
        Map<String, Observation> seen = new LinkedHashMap<>();
        for (int i = 0; i < ruleAndValue.length; i += 2) {
            seen.put((String) ruleAndValue[i], new Observation.Values(List.of(new Series(Map.of(),
                    ((Number) ruleAndValue[i + 1]).doubleValue()))));
        }
        return new Input.Observe(seen);
    }

    static Life degraded() {
        return new Life(MACHINE).at(Duration.ofSeconds(15), observe("error-rate", 0.02));
    }

    static Life rolledBack() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("error-rate", 0.2));
        return life.at(Duration.ofSeconds(20), MachineTest.answered(life, true));
    }

    static boolean rollbackAsked(Life life) {
        return life.steps.stream().flatMap(s -> s.effects().stream()).anyMatch(Effect.CallRollback.class::isInstance);
    }

    @Test
    @DisplayName("a dry-run rule at P0 is on the timeline, but opens no incident and rolls back nothing")
    void dryRun() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("a-canary", 3));
        assertEquals(List.of("outcome: a-canary is p0 (value 3.000, threshold > 0) [dry run]"), life.timeline());
        assertEquals("watching", life.watch.release().state().label());
        assertNull(life.watch.incident());
        assertFalse(rollbackAsked(life));
    }

    @Test
    @DisplayName("a rollback names the rule that acts, not a dry-run rule breaching beside it")
    void dryRunNotTheReason() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), observe("a-canary", 3, "error-rate", 0.2));
        assertEquals("rolling_back", life.watch.release().state().label());
        assertTrue(life.rollbackCall().body().contains("\"reason\":{\"rule\":\"error-rate\",\"severity\":\"P0\""),
                life.rollbackCall().body());
        assertEquals(List.of("error-rate"), List.copyOf(life.watch.incident().rules().keySet()));
    }

    @Test
    @DisplayName("a P1 nobody acknowledges rolls back after autoRollbackAfter, for its rule, by the watchdog")
    void unacknowledgedP1() {
        Life life = degraded();
        life.at(Duration.ofMinutes(45), observe("error-rate", 0.02));
        assertEquals("degraded", life.watch.release().state().label(), "not yet: 45m after it opened is 10:45:15");
        life.at(Duration.ofMinutes(45).plusSeconds(15), new Input.Tick());
        assertEquals("rolling_back", life.watch.release().state().label());
        String body = life.rollbackCall().body();
        assertTrue(body.contains("\"reason\":{\"rule\":\"error-rate\",\"severity\":\"P1\",\"value\":0.02"), body);
        assertTrue(body.contains("\"triggeredBy\":\"watchdog (P1 unacknowledged)\""), body);
    }

    @Test
    @DisplayName("a P1 degrades the release, its recovery brings it back to watching, each on the timeline")
    void degradedAndRecovered() {
        Life life = degraded();
        assertTrue(life.timeline().contains("degraded: a P1 breach is open: the team decides"), life.timeline().toString());
        life.at(Duration.ofMinutes(1), observe("error-rate", 0.001));
        assertEquals("watching", life.watch.release().state().label());
        assertTrue(life.timeline().contains("recovered: every rule has recovered"), life.timeline().toString());
    }

    @Test
    @DisplayName("the window's end passes the release, on the timeline")
    void passed() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), observe("error-rate", 0.001))
                .at(Duration.ofHours(2), new Input.Tick());
        assertEquals("passed", life.watch.release().state().label());
        assertTrue(life.timeline().contains("passed: the window ended with nothing open"), life.timeline().toString());
    }

    @Test
    @DisplayName("the window ending on an accepted incident resolves it, and those paged hear it")
    void windowEndsAnAcceptedIncident() {
        Life life = degraded().at(Duration.ofMinutes(1), new Input.Accept("alice", "known slow path"));
        life.at(Duration.ofHours(2), observe("error-rate", 0.02));
        assertEquals("passed", life.watch.release().state().label());
        assertEquals(Incident.Status.RESOLVED, life.watch.incident().status());
        assertEquals("window_ended", life.watch.incident().resolution());
        assertEquals(List.of("resolved:rm", "resolved:pager"),
                life.notified().stream().filter(n -> n.startsWith("resolved")).toList());
    }

    @Test
    @DisplayName("while a rollback is verified, only the rules that breached are judged")
    void verifiesOnlyWhatBreached() {
        Life life = rolledBack().at(Duration.ofMinutes(1), observe("latency", 5, "error-rate", 0.001));
        assertFalse(life.watch.rules().containsKey("latency"));
        assertEquals(List.of("outcome: error-rate is ok (value 0.001000, threshold > 0.01)",
                "verification: the rollback restored health: error-rate ok again"), life.timeline());
        assertEquals(Map.of("state", "recovered"), life.data(Event.Type.VERIFICATION));
    }

    @Test
    @DisplayName("a rollback that did not restore health says so, and its incident holds the rule's last value")
    void notRecovered() {
        Life life = rolledBack().at(Duration.ofMinutes(5), observe("error-rate", 0.2));
        life.at(Duration.ofMinutes(10).plusSeconds(20), new Input.Tick());
        assertEquals("verification: the rollback did not restore health by 2026-11-21T10:10:20Z", life.timeline().get(0));
        assertEquals(Map.of("state", "not_recovered"), life.data(Event.Type.VERIFICATION));
        assertEquals(new Incident.Breach("error-rate", dev.watchdog.core.Severity.P0, 0.2, null, "> 0.05"),
                life.watch.incident().rules().get("error-rate"));
    }

    @Test
    @DisplayName("an incident raised after the rollback keeps paging everyone every 'repeat' while rolled back")
    void notRecoveredRepeats() {
        Life life = rolledBack().at(Duration.ofMinutes(10).plusSeconds(20), new Input.Tick());
        assertEquals("rolled_back", life.watch.release().state().label());
        life.at(Duration.ofMinutes(20).plusSeconds(20), new Input.Tick());
        assertEquals(List.of("repeated:rm", "repeated:pager", "repeated:cto"), life.notified());
    }
}
