package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.judge.Observation;
import dev.watchdog.machine.MachineTest.Life;
import dev.watchdog.release.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The release's lifecycle messages: checkpoints, all clear, and a watch gone blind, each said once. */
class AnnouncementsTest {

    static final Machine MACHINE = new Machine(new Context(new ConfigLoader(n -> null).parse("""
            prometheus: {url: "http://127.0.0.1:1"}
            receivers:
              rm: {slack: {url: "https://hooks.example/rm"}}
              pager: {alertmanager: {url: "http://127.0.0.1:9093"}}
            escalation:
              default:
                levels: [{after: 0m, notify: [rm, pager]}]
                checkpoints: [5m, 15m, 30m, 1h, 2h, 6h]
            rollback:
              default: {webhook: {url: "https://deployer.example/rollback"}}
            """, "test.yml"), MachineTest.CTX.rules()));

    static Input.Observe failing() {
        return new Input.Observe(Map.of("error-rate", new Observation.Failed("connection refused")));
    }

    /** The announcements of the last step, as the timeline shows them. */
    static List<String> announced(Life life) {
        return life.last().events().stream().filter(e -> e.type() == Event.Type.ANNOUNCEMENT).map(Event::message).toList();
    }

    /** What the last step said about seeing the release (checkpoints left out). */
    static List<String> sight(Life life) {
        return announced(life).stream().filter(m -> m.startsWith("blind") || m.startsWith("seeing")).toList();
    }

    @Test
    @DisplayName("a checkpoint is announced when its time comes, not before, and once")
    void checkpoint() {
        Life life = new Life(MACHINE);
        life.at(Duration.ofMinutes(5).minusSeconds(1), new Input.Tick());
        assertEquals(List.of(), announced(life));
        life.at(Duration.ofMinutes(5), new Input.Tick());
        assertEquals(List.of("checkpoint 5m -> rm, pager"), announced(life));
        assertEquals(List.of("checkpoint:rm"), life.notified(), "Alertmanager takes no lifecycle chatter");
        assertEquals(life.watch.id() + ":checkpoint:5m", life.data(Event.Type.ANNOUNCEMENT).get("key"));
        life.at(Duration.ofMinutes(6), new Input.Tick());
        assertEquals(List.of(), announced(life));
    }

    @Test
    @DisplayName("after a gap only the latest checkpoint due is announced; the ones it passed are not said later")
    void gap() {
        Life life = new Life(MACHINE);
        life.at(Duration.ofMinutes(29), new Input.Tick());
        assertEquals(List.of("checkpoint 15m -> rm, pager"), announced(life));
        life.at(Duration.ofMinutes(29).plusSeconds(30), new Input.Tick());
        assertEquals(List.of(), announced(life));
    }

    @Test
    @DisplayName("the bake passing healthy is an all clear, once")
    void bake() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), MachineTest.errorRate(0.001));
        life.at(Duration.ofMinutes(31), new Input.Tick());
        assertEquals(List.of("checkpoint 30m -> rm, pager", "all_clear at T+30m: healthy -> rm, pager"), announced(life));
        life.at(Duration.ofMinutes(32), new Input.Tick());
        assertEquals(List.of(), announced(life));
    }

    @Test
    @DisplayName("the window's end is an all clear, with the checkpoint that falls on it; none beyond the window")
    void windowEnd() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), MachineTest.errorRate(0.001));
        life.at(Duration.ofMinutes(90), new Input.Tick());
        life.at(Duration.ofHours(2), new Input.Tick());
        assertEquals(List.of("checkpoint 2h -> rm, pager", "all_clear the 2h window ended with nothing open -> rm, pager"),
                announced(life));
        assertEquals(List.of("checkpoint:rm", "all_clear:rm"), life.notified());
        assertEquals(List.of("watching", "checkpoint:5m", "checkpoint:15m", "checkpoint:30m", "checkpoint:1h",
                "checkpoint:2h"), life.watch.announced());
    }

    @Test
    @DisplayName("the verdict and the window's end in one step (no tick between them): one all clear, the window's")
    void bakeAndWindowEndTogether() {
        Life life = new Life(MACHINE).at(Duration.ofSeconds(15), MachineTest.errorRate(0.001));
        life.at(Duration.ofHours(2), new Input.Tick());
        assertEquals(List.of("all_clear the 2h window ended with nothing open -> rm, pager"),
                announced(life).stream().filter(m -> m.startsWith("all_clear")).toList());
        assertEquals("healthy", life.watch.release().verdict().label());
    }

    @Test
    @DisplayName("a release no rule could judge (no data, guards unmet) is unjudged at the bake, never an all clear")
    void unjudged() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), new Input.Observe(Map.of(
                "error-rate", new Observation.Values(List.of()),
                "latency", new Observation.GuardNotMet("fewer than 100 requests in the window"))));
        life.at(Duration.ofMinutes(30), new Input.Tick());
        assertEquals("unjudged", life.watch.release().verdict().label());
        assertEquals(List.of("checkpoint 30m -> rm, pager", "unjudged at T+30m: no rule had anything to judge -> rm, pager"),
                announced(life));
        assertEquals(List.of("checkpoint:rm", "unjudged:rm"), life.notified(), "no all clear, and not to Alertmanager");
        assertEquals(List.of("verdict: unjudged: the bake time passed and no rule had anything to judge (no data, or every guard unmet)"),
                life.timeline().stream().filter(e -> e.startsWith("verdict")).toList());
        life.at(Duration.ofHours(2), new Input.Tick());
        assertEquals(List.of("checkpoint 2h -> rm, pager", "unjudged the 2h window ended and no rule had anything to judge"
                + " -> rm, pager"), announced(life));
    }

    @Test
    @DisplayName("one rule judged once, even if it has no data at the bake, makes the verdict healthy")
    void judgedOnce() {
        Life life = new Life(MACHINE).at(Duration.ofMinutes(1), MachineTest.errorRate(0.001));
        life.at(Duration.ofMinutes(2), new Input.Observe(Map.of("error-rate", new Observation.Values(List.of()))));
        life.at(Duration.ofMinutes(30), new Input.Tick());
        assertEquals("healthy", life.watch.release().verdict().label());
    }

    @Test
    @DisplayName("queries failing for blindAfter tell level 1 once, Alertmanager included; answering again tells them too")
    void blind() {
        Life life = new Life(MACHINE);
        life.at(Duration.ofMinutes(1), failing());
        assertEquals(List.of(), sight(life));
        life.at(Duration.ofMinutes(6).minusSeconds(1), new Input.Tick());
        assertEquals(List.of(), sight(life), "failing for less than blindAfter");
        life.at(Duration.ofMinutes(6), new Input.Tick());
        assertEquals(List.of("blind -> rm, pager"), sight(life));
        assertEquals(List.of("blind:rm", "blind:pager"),
                life.notified().stream().filter(n -> n.startsWith("blind")).toList());
        life.at(Duration.ofMinutes(7), failing());
        assertEquals(List.of(), sight(life), "said once while it lasts");
        life.at(Duration.ofMinutes(8), MachineTest.errorRate(0.001));
        assertEquals(List.of("seeing -> rm, pager"), sight(life));
        life.at(Duration.ofMinutes(9), MachineTest.errorRate(0.001));
        assertEquals(List.of(), sight(life));
        life.at(Duration.ofMinutes(10), failing());
        life.at(Duration.ofMinutes(15), new Input.Tick());
        assertEquals(List.of("blind -> rm, pager"), sight(life), "blind again: said again");
    }
}
