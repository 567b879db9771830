package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Series;
import dev.watchdog.incident.Message;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.Sample;
import dev.watchdog.machine.MachineTest.Life;
import dev.watchdog.rules.RuleFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the rules see at registration, on the service as it stood before the release: a breach
 * already there is named, and a P0 already there pages people instead of rolling back to a version
 * that had it too; a release whose rules see nothing at all says so from the first message.
 */
class BeforeReleaseTest {

    static Machine machine(String preexisting) {
        return machine(preexisting, """
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                    for: 1m
                  - name: latency
                    signal: latency
                    expr: p95{service="{{service}}"}
                    unit: seconds
                    p1: "> 1"
                    p0: "> 2"
            """);
    }

    static Machine machine(String preexisting, String rules) {
        return new Machine(new Context(new ConfigLoader(n -> null).parse("""
                prometheus: {url: "http://127.0.0.1:1"}
                server: {externalUrl: "https://watchdog.example"}
                receivers:
                  rm: {slack: {url: "https://hooks.example/rm"}}
                escalation:
                  default:
                    levels: [{after: 0m, notify: [rm]}]
                    preexisting: %s
                rollback:
                  default: {webhook: {url: "https://deployer.example/rollback"}}
                """.formatted(preexisting), "test.yml"), RuleFixtures.ruleSet(rules)));
    }

    /** Errors counted since the release against the previous version's. */
    static final String CANARY = """
              - name: canary-errors
                signal: errors
                expr: sum by (version) (increase(http_requests_total{service="{{service}}",status=~"5.."}[{{since_release}}]))
                total: sum by (version) (increase(http_requests_total{service="{{service}}"}[{{since_release}}]))
                unit: ratio
                baseline: previous-version
                p1: "> +50%"
                significance: 0.01
        """;

    /** A ratio of errors to requests, and the canary's errors. */
    static final String COUNTING = """
              - name: error-ratio
                signal: errors
                expr: sum(rate(http_requests_total{service="{{service}}",status=~"5.."}[5m]))
                total: sum(rate(http_requests_total{service="{{service}}"}[5m]))
                unit: ratio
                p0: "> 0.05"
        """ + CANARY;

    static Observation.Values value(double v) {
        return new Observation.Values(List.of(new Series(Map.of(), v)));
    }

    static Input.Observe observe(double errors, double latency) {
        return new Input.Observe(Map.of("error-rate", value(errors), "latency", value(latency)));
    }

    static Message watching(Life life) {
        return life.steps.get(0).effects().stream().filter(Effect.Notify.class::isInstance)
                .map(e -> ((Effect.Notify) e).notification().message()).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("a hotfix into a service already at 15 % errors: named at registration, paged as the team's decision, not rolled back")
    void hotfixIntoAnOutage() {
        Life life = new Life(machine("page"), Map.of("error-rate", value(0.15), "latency", value(0.3)));
        assertEquals(List.of("registered: watching api 1.4.0 in production for 2h",
                "before_release: Already breaching before the release, so not caused by it: error-rate P0 (a P0 already"
                        + " there pages people; it does not roll back to a version that had it too)"),
                life.timeline().subList(0, 2));
        assertTrue(watching(life).lines().contains("- error-rate: 15 % (P0 > 5 %)"), watching(life).lines().toString());
        life.at(Duration.ofSeconds(30), observe(0.15, 0.3)).at(Duration.ofMinutes(2), observe(0.15, 0.3));
        assertEquals("degraded", life.watch.release().state().label(), "paged: the team decides");
        assertTrue(life.steps.stream().flatMap(s -> s.effects().stream()).noneMatch(Effect.CallRollback.class::isInstance));
        Message page = life.last().effects().stream().filter(Effect.Notify.class::isInstance)
                .map(e -> ((Effect.Notify) e).notification().message()).findFirst().orElseThrow();
        assertTrue(page.lines().contains("- error-rate: 15 % (P0 > 5 %, already before the release: paged, not rolled back)"),
                page.lines().toString());
    }

    @Test
    @DisplayName("a P0 that appears only after the release still rolls back, whatever was breaching before")
    void newP0RollsBack() {
        Life life = new Life(machine("page"), Map.of("error-rate", value(0.15), "latency", value(0.3)));
        life.at(Duration.ofSeconds(30), observe(0.15, 2.5));
        assertEquals("rolling_back", life.watch.release().state().label());
        assertTrue(life.rollbackCall().body().contains("\"rule\":\"latency\""), life.rollbackCall().body());
    }

    @Test
    @DisplayName("preexisting: rollback keeps the old behaviour: a P0 already there rolls back")
    void policyRollsBack() {
        Life life = new Life(machine("rollback"), Map.of("error-rate", value(0.15)));
        life.at(Duration.ofSeconds(30), observe(0.15, 0.3)).at(Duration.ofMinutes(2), observe(0.15, 0.3));
        assertEquals("rolling_back", life.watch.release().state().label());
    }

    @Test
    @DisplayName("rules that see nothing at all at registration: the first message says what to check")
    void nothingToJudge() {
        Life life = new Life(machine("page"), Map.of("error-rate", new Observation.Values(List.of()),
                "latency", new Observation.GuardNotMet("fewer than 100 requests")));
        assertEquals("before_release: No rule finds any data for api in production (error-rate, latency): check the"
                + " service's name and that its metrics carry the labels the rules select", life.timeline().get(1));
        assertTrue(watching(life).lines().get(0).startsWith("No rule finds any data for api in production"));
    }

    @Test
    @DisplayName("a ratio rule is read at registration as it is judged: errors over requests, 15 of 100 is a P0 already there")
    void ratioReadByItsShape() {
        Observation.Values ratio = new Observation.Values(new Sample(List.of(new Series(Map.of(), 15)),
                List.of(new Series(Map.of(), 100))), Map.of(), null, null, Map.of());
        Life life = new Life(machine("page", COUNTING), Map.of("error-ratio", ratio,
                "canary-errors", new Observation.Values(List.of())));
        assertEquals("before_release: Already breaching before the release, so not caused by it: error-ratio P0 (a P0"
                + " already there pages people; it does not roll back to a version that had it too)", life.timeline().get(1));
        assertTrue(watching(life).lines().contains("- error-ratio: 15 % (P0 > 5 %)"), watching(life).lines().toString());
    }

    @Test
    @DisplayName("a rule counting since the release has nothing to see before it: neither judged nor named as without data")
    void countsSinceTheReleaseAreLeftOut() {
        Observation.Values healthy = new Observation.Values(new Sample(List.of(new Series(Map.of(), 1)),
                List.of(new Series(Map.of(), 100))), Map.of(), null, null, Map.of());
        Life life = new Life(machine("page", COUNTING), Map.of("error-ratio", healthy,
                "canary-errors", new Observation.Values(List.of())));
        assertEquals("before_release: Before the release: 1 rule(s) judged, nothing breaching", life.timeline().get(1));
    }

    @Test
    @DisplayName("only rules counting since the release: nothing is said before the release, rather than 'no data'")
    void onlyCountsSinceTheRelease() {
        Life life = new Life(machine("page", CANARY),
                Map.of("canary-errors", new Observation.Values(List.of())));
        assertTrue(life.timeline().stream().noneMatch(e -> e.startsWith("before_release")), life.timeline().toString());
    }

    @Test
    @DisplayName("rules judged only from T+30m are not in force at registration: nothing said, rather than 'no data'")
    void laterRulesAreLeftOut() {
        Life life = new Life(machine("page", """
                  - name: healthy-at-t30m
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p1: "> 0.001"
                    after: 30m
            """), Map.of("healthy-at-t30m", new Observation.Values(List.of())));
        assertTrue(life.timeline().stream().noneMatch(e -> e.startsWith("before_release")), life.timeline().toString());
    }

    @Test
    @DisplayName("Prometheus not answering at registration: said, and nothing is taken as breaching")
    void couldNotLook() {
        Life life = new Life(machine("page"), Map.of("error-rate", new Observation.Failed("cannot reach Prometheus")));
        assertEquals("before_release: Could not look at api in production before the release: cannot reach Prometheus",
                life.timeline().get(1));
        assertFalse(life.watch.before().p0("error-rate"));
    }
}
