package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Series;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.MachineTest.Life;
import dev.watchdog.release.Event;
import dev.watchdog.rules.RuleFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the timeline says of a rule's outcome and of each message: the figures behind them, and who heard. */
class TimelineTest {

    static final Machine MACHINE = new Machine(new Context(new ConfigLoader(n -> null).parse("""
            prometheus: {url: "http://127.0.0.1:1"}
            receivers:
              rm: {slack: {url: "https://hooks.example/rm"}}
            escalation:
              default:
                levels: [{after: 5m, notify: [rm]}]
            rollback:
              default: {webhook: {url: "https://deployer.example/rollback"}}
            """, "test.yml"), RuleFixtures.ruleSet("""
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p1: "> 0.01"
                    p0: "> 0.05"
                  - name: latency
                    signal: latency
                    expr: latency_p95{service="{{service}}"}
                    baseline: before-release
                    p1: "> +10%"
                  - name: checkout
                    signal: business
                    expr: checkout_errors{service="{{service}}"}
                    p1: "> 0.01"
                    dryRun: true
            """)));

    static Input.Observe seen(String rule, double value) {
        return new Input.Observe(Map.of(rule, new Observation.Values(List.of(new Series(Map.of(), value)))));
    }

    /** The outcome entries of the last step. */
    static List<Event> outcomes(Life life) {
        return life.last().events().stream().filter(e -> e.type() == Event.Type.OUTCOME).toList();
    }

    @Test
    @DisplayName("a changed outcome shows its value against the threshold it is judged by; an unchanged one is not repeated")
    void value() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), seen("error-rate", 0.02));
        Event e = outcomes(life).get(0);
        assertEquals("error-rate is p1 (value 0.02000, threshold > 0.01)", e.message());
        assertEquals(Map.of("rule", "error-rate", "outcome", "p1", "value", 0.02, "threshold", "> 0.01"), e.data());
        life.at(Duration.ofMinutes(2), seen("error-rate", 0.03));
        assertEquals(List.of(), outcomes(life));
        life.at(Duration.ofMinutes(3), seen("error-rate", 0.001));
        assertEquals("error-rate is ok (value 0.001000, threshold > 0.01)", outcomes(life).get(0).message());
    }

    @Test
    @DisplayName("a rule judged against a baseline shows the baseline beside the value")
    void baseline() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), new Input.Observe(Map.of("latency",
                Observation.Values.against(List.of(new Series(Map.of(), 0.5)), "before-release", List.of(new Series(Map.of(), 0.2))))));
        Event e = outcomes(life).get(0);
        assertEquals("latency is p1 (value 0.5000, baseline 0.2000, threshold > +10%)", e.message());
        assertEquals(0.2, e.data().get("baseline"));
    }

    @Test
    @DisplayName("a failed query shows why, and no value")
    void failed() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1),
                new Input.Observe(Map.of("error-rate", new Observation.Failed("connection refused"))));
        Event e = outcomes(life).get(0);
        assertEquals(Map.of("rule", "error-rate", "outcome", "error", "message", e.data().get("message"),
                "threshold", "> 0.01"), e.data());
        assertEquals("error-rate is error (" + e.data().get("message") + ")", e.message());
    }

    @Test
    @DisplayName("a rule in dry run says so")
    void dryRun() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), seen("checkout", 0.02));
        assertEquals("checkout is p1 (value 0.02000, threshold > 0.01) [dry run]", outcomes(life).get(0).message());
    }

    @Test
    @DisplayName("a notice about an incident names it and the level it reached; before anyone was paged, no level")
    void incidentNotices() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), seen("error-rate", 0.02));
        String incident = life.watch.incident().id();
        life.at(Duration.ofMinutes(2), new Input.Ack("alice", null));
        assertEquals("incident: incident " + incident + " acknowledged -> rm", life.timeline().get(1));
        assertEquals(Map.of("kind", "acknowledged", "receivers", List.of("rm"), "key", incident + ":1:acknowledged",
                "incident", incident, "level", 0), life.data(Event.Type.INCIDENT));
        Life paged = new Life(MACHINE).at(Duration.ofMinutes(1), seen("error-rate", 0.02));
        paged.at(Duration.ofMinutes(6), new Input.Tick());
        assertEquals(List.of("incident: incident " + paged.watch.incident().id() + " opened (level 1) -> rm"),
                paged.timeline().stream().filter(e -> e.startsWith("incident:")).toList());
    }

    @Test
    @DisplayName("a lifecycle message names what it says, and no incident")
    void announcements() {
        Life life = new Life(MACHINE);
        assertEquals(List.of("registered: watching api 1.4.0 in production for 2h", "announcement: watching -> rm"),
                life.timeline());
        assertEquals(Map.of("kind", "watching", "receivers", List.of("rm"), "key", life.watch.id() + ":watching"),
                life.data(Event.Type.ANNOUNCEMENT));
        life.at(Duration.ofMinutes(5), new Input.Tick());
        assertEquals("announcement: checkpoint 5m -> rm", life.timeline().get(life.timeline().size() - 1));
    }
}
