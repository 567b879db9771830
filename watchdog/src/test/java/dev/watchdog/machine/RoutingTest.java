package dev.watchdog.machine;

import static dev.watchdog.machine.MachineTest.T0;
import static dev.watchdog.machine.MachineTest.errorRate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.machine.MachineTest.Life;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Which receivers take which message: chat hears everything, Alertmanager the incidents, Grafana the
 * milestones, GitHub the end of an incident by a rollback.
 */
class RoutingTest {

    static final String CONFIG = """
            prometheus: {url: "http://127.0.0.1:1"}
            server: {externalUrl: "https://watchdog.example"}
            receivers:
              rm: {slack: {url: "https://hooks.example/rm"}}
              pager: {alertmanager: {url: "http://127.0.0.1:9093"}}
              dashboards: {grafana: {url: "https://grafana.example", token: "t0ken"}}
              postmortem: {github: {repo: "acme/api", token: "t0ken"}}
            escalation:
              default:
                levels: [{after: 0m, notify: [rm, pager, dashboards, postmortem]}]
                repeat: 10m
            rollback:
              default: {webhook: {url: "https://deployer.example/rollback"}}
            """;
    static final Machine ROUTED = machine(CONFIG);

    static Machine machine(String config) {
        return new Machine(new Context(new ConfigLoader(n -> null).parse(config, "test.yml"), MachineTest.CTX.rules()));
    }

    /** The last step's notifications about the incident (the checkpoint that falls in the same step left out). */
    static List<String> paged(Life life) {
        return life.notified().stream().filter(n -> !n.startsWith("checkpoint:")).toList();
    }

    static Life degraded() {
        return new Life(ROUTED).at(Duration.ofSeconds(15), errorRate(0.02));
    }

    @Test
    @DisplayName("lifecycle messages: chat hears them all, Grafana the milestones, Alertmanager and GitHub none")
    void lifecycle() {
        Life life = new Life(ROUTED);
        assertEquals(List.of("watching:rm", "watching:dashboards"), life.notified());
        life.at(Duration.ofMinutes(5), errorRate(0.001));
        assertEquals(List.of("checkpoint:rm"), life.notified());
        life.at(Duration.ofMinutes(30), new Input.Tick());
        assertEquals(List.of("checkpoint:rm", "all_clear:rm", "all_clear:dashboards"), life.notified());
    }

    @Test
    @DisplayName("an incident: chat, Alertmanager and Grafana hear it open; its repeats skip Grafana; GitHub waits")
    void incident() {
        Life life = degraded();
        assertEquals(List.of("opened:rm", "opened:pager", "opened:dashboards"), life.notified());
        life.at(Duration.ofMinutes(10).plusSeconds(15), new Input.Tick());
        assertEquals(List.of("repeated:rm", "repeated:pager"), paged(life));
        life.apply(new Input.Ack("alice", null));
        assertEquals(List.of("acknowledged:rm", "acknowledged:pager", "acknowledged:dashboards"), life.notified());
    }

    @Test
    @DisplayName("a page says how to acknowledge, at the watchdog's external URL")
    void ackLink() {
        Life life = degraded();
        Effect.Notify page = (Effect.Notify) life.last().effects().get(0);
        String ack = "POST https://watchdog.example/api/v1/releases/" + life.watch.id() + "/ack";
        assertTrue(page.notification().message().lines().stream().anyMatch(l -> l.contains(ack)),
                String.join("\n", page.notification().message().lines()));
    }

    @Test
    @DisplayName("a rollback done: GitHub files the report, Grafana marks it")
    void rolledBack() {
        Life life = degraded().apply(new Input.DecideRollback("alice", null));
        assertEquals(List.of("rollback_decided:rm", "rollback_decided:pager"), life.notified());
        life.apply(MachineTest.answered(life, true));
        assertEquals(List.of("rolled_back:rm", "rolled_back:pager", "rolled_back:dashboards", "rolled_back:postmortem"),
                life.notified());
    }

    @Test
    @DisplayName("a failed rollback that a person takes over is filed on GitHub; a P1 accepted is not")
    void takenOver() {
        Life failed = new Life(ROUTED).at(Duration.ofSeconds(15), errorRate(0.2));
        failed.at(Duration.ofMinutes(5), MachineTest.answered(failed, false));
        assertEquals(List.of("rollback_failed:rm", "rollback_failed:pager", "rollback_failed:dashboards"),
                failed.notified());
        failed.apply(new Input.Accept("alice", "rolled back by hand"));
        assertEquals(List.of("accepted:rm", "accepted:pager", "accepted:postmortem"), failed.notified());
        Life kept = degraded().apply(new Input.Accept("alice", "known slow path"));
        assertEquals(List.of("accepted:rm", "accepted:pager"), kept.notified());
    }

    @Test
    @DisplayName("an incident keeps its ladder across a reload, but a receiver the reload removed hears nothing")
    void removedReceiver() {
        Life life = degraded();
        life.machine = machine(CONFIG.replace("  postmortem: {github: {repo: \"acme/api\", token: \"t0ken\"}}\n", "")
                .replace(", postmortem]", "]"));
        life.at(Duration.ofMinutes(10).plusSeconds(15), new Input.Tick());
        assertEquals("incident: incident " + life.watch.incident().id()
                + " repeated (level 1) -> rm, pager, dashboards, postmortem", life.timeline().get(0));
        assertEquals(List.of("repeated:rm", "repeated:pager"), paged(life));
        assertEquals(T0.plus(Duration.ofMinutes(20).plusSeconds(15)), life.watch.incident().nextDueAt());
    }
}
