package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.evaluation.Observation;
import dev.watchdog.evaluation.Series;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.release.Event;
import dev.watchdog.release.Registration;
import dev.watchdog.release.Release;
import dev.watchdog.rules.RuleFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The release's state machine: every (state, input) pair, and the steps that matter most, on a moved clock. */
class MachineTest {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final Context CTX = new Context(new ConfigLoader(n -> null).parse("""
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
            """));
    static final Machine MACHINE = new Machine(CTX);

    /** A release stepped through the machine from its registration, as the daemon would. */
    static final class Life {
        Watch watch;
        Instant now = T0;
        final List<Step.Moved> steps = new ArrayList<>();

        Life() {
            Release r = new Registration("api", "1.4.0", "1.3.2", "production", Map.of(), Duration.ofHours(2),
                    Duration.ofMinutes(30), null, null).toRelease(T0, Duration.ofHours(24), Set.of("default"),
                    Set.of("default"), Set.of("service"));
            apply(new Input.Register(r));
        }

        Step step(Input input) {
            return MACHINE.step(watch, input, now);
        }

        Life apply(Input input) {
            Step step = step(input);
            Step.Moved moved = assertInstanceOf(Step.Moved.class, step, "refused: " + step);
            steps.add(moved);
            watch = moved.watch();
            return this;
        }

        Life at(Duration sinceStart, Input input) {
            now = T0.plus(sinceStart);
            return apply(input);
        }

        Step.Moved last() {
            return steps.get(steps.size() - 1);
        }

        Effect.CallRollback rollbackCall() {
            return steps.stream().flatMap(s -> s.effects().stream()).filter(Effect.CallRollback.class::isInstance)
                    .map(Effect.CallRollback.class::cast).reduce((a, b) -> b).orElseThrow();
        }
    }

    static Input.Observe errorRate(double value) {
        return new Input.Observe(Map.of("error-rate", new Observation.Values(List.of(new Series(Map.of(), value)))));
    }

    static Input.RollbackAnswered answered(Life life, boolean ok) {
        return new Input.RollbackAnswered(life.rollbackCall().id(), new Answer(ok ? OutboxEntry.Status.SENT
                : OutboxEntry.Status.FAILED, ok ? 1 : 8, ok ? 200 : 503, ok ? null : "HTTP 503"));
    }

    /** One release in each state, reached the way releases reach them. */
    static Life in(String state) {
        Life life = new Life();
        switch (state) {
            case "watching" -> life.at(Duration.ofSeconds(15), errorRate(0.001));
            case "degraded" -> life.at(Duration.ofSeconds(15), errorRate(0.02));
            case "rolling_back" -> life.at(Duration.ofSeconds(15), errorRate(0.2));
            case "rolled_back" -> life.at(Duration.ofSeconds(15), errorRate(0.2)).at(Duration.ofSeconds(20), answered(life, true));
            case "rollback_failed" -> life.at(Duration.ofSeconds(15), errorRate(0.2))
                    .at(Duration.ofMinutes(5), answered(life, false));
            case "passed" -> life.at(Duration.ofSeconds(15), new Input.Finish("ci", "done"));
            case "cancelled" -> life.at(Duration.ofSeconds(15), new Input.Cancel("ci", null));
            default -> throw new IllegalArgumentException(state);
        }
        assertEquals(state, life.watch.release().state().label());
        life.now = life.now.plus(Duration.ofSeconds(15));
        return life;
    }

    static final List<String> STATES = List.of("watching", "degraded", "rolling_back", "rolled_back", "rollback_failed",
            "passed", "cancelled");

    static Input input(String name, Life life) {
        return switch (name) {
            case "register" -> new Input.Register(life.watch.release());
            case "supersede" -> new Input.Supersede("rel_newer", "1.4.1");
            case "observe p0" -> errorRate(0.2);
            case "observe ok" -> errorRate(0.001);
            case "tick" -> new Input.Tick();
            case "finish" -> new Input.Finish("ci", null);
            case "cancel" -> new Input.Cancel("ci", null);
            case "ack" -> new Input.Ack("alice", "looking");
            case "accept" -> new Input.Accept("alice", "known issue");
            case "rollback" -> new Input.DecideRollback("alice", "users cannot log in");
            case "answered ok" -> life.watch.rollback() == null ? new Input.RollbackAnswered("x#1", ok())
                    : answered(life, true);
            case "answered failed" -> life.watch.rollback() == null ? new Input.RollbackAnswered("x#1", failed())
                    : answered(life, false);
            case "notified" -> new Input.NotificationAnswered(notification(life), ok());
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Answer ok() {
        return new Answer(OutboxEntry.Status.SENT, 1, 200, null);
    }

    static Answer failed() {
        return new Answer(OutboxEntry.Status.FAILED, 3, 500, "HTTP 500");
    }

    static Notification notification(Life life) {
        Message m = new Message("t", List.of(), null, "api", "1.4.0", "production", life.watch.id(), List.of(), null, false);
        return new Notification(life.watch.id() + ":watching@rm", life.watch.id(), null, "rm", Notice.Kind.WATCHING, m, T0);
    }

    /**
     * The table: for each state (rows) and input (columns), the state the release moves to, or
     * "refused" (a 409 at the API). The late or stray answers of effects are recorded but move nothing.
     */
    static final List<String> INPUTS = List.of("register", "supersede", "observe p0", "observe ok", "tick", "finish",
            "cancel", "ack", "accept", "rollback", "answered ok", "answered failed", "notified");
    static final Map<String, List<String>> TABLE = new LinkedHashMap<>();

    static {
        //                                  register   supersede    observe p0      observe ok      tick
        //                                  finish     cancel       ack             accept          rollback
        //                                  answered ok      answered failed    notified
        TABLE.put("watching", List.of("refused", "cancelled", "rolling_back", "watching", "watching",
                "passed", "cancelled", "refused", "refused", "rolling_back",
                "watching", "watching", "watching"));
        TABLE.put("degraded", List.of("refused", "cancelled", "rolling_back", "watching", "degraded",
                "passed", "cancelled", "degraded", "watching", "rolling_back",
                "degraded", "degraded", "degraded"));
        TABLE.put("rolling_back", List.of("refused", "refused", "refused", "refused", "rolling_back",
                "refused", "refused", "rolling_back", "refused", "refused",
                "rolled_back", "rollback_failed", "rolling_back"));
        TABLE.put("rolled_back", List.of("refused", "refused", "rolled_back", "rolled_back", "rolled_back",
                "refused", "refused", "refused", "refused", "refused",
                "rolled_back", "rolled_back", "rolled_back"));
        TABLE.put("rollback_failed", List.of("refused", "refused", "refused", "refused", "rollback_failed",
                "refused", "refused", "rollback_failed", "rollback_failed", "rolling_back",
                "rollback_failed", "rollback_failed", "rollback_failed"));
        TABLE.put("passed", List.of("refused", "refused", "refused", "refused", "refused",
                "refused", "refused", "refused", "refused", "refused",
                "passed", "passed", "passed"));
        TABLE.put("cancelled", List.of("refused", "refused", "refused", "refused", "refused",
                "refused", "refused", "refused", "refused", "refused",
                "cancelled", "cancelled", "cancelled"));
    }

    static Stream<Arguments> pairs() {
        return STATES.stream().flatMap(state -> INPUTS.stream().map(input -> Arguments.of(state, input,
                TABLE.get(state).get(INPUTS.indexOf(input)))));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @MethodSource("pairs")
    @DisplayName("every (state, input) pair")
    void transition(String state, String input, String expected) {
        Life life = in(state);
        Step step = life.step(input(input, life));
        String actual = step instanceof Step.Moved m ? m.watch().release().state().label() : "refused";
        assertEquals(expected, actual, state + " + " + input + (step instanceof Step.Refused r ? ": " + r.why() : ""));
        if (step instanceof Step.Refused r) {
            assertFalse(r.why().isBlank(), "a refusal says why");
        }
    }

    @Test
    @DisplayName("the table covers every state and every input")
    void tableIsComplete() {
        assertEquals(Release.State.values().length, TABLE.size());
        TABLE.values().forEach(row -> assertEquals(INPUTS.size(), row.size()));
    }

    @Nested
    @DisplayName("a P0")
    class P0 {
        @Test
        @DisplayName("stores the rollback call with its Idempotency-Key and the contract's body, in the same step")
        void storesTheCall() {
            Life life = in("rolling_back");
            Effect.CallRollback call = life.rollbackCall();
            assertEquals(life.watch.id() + ":rollback", call.key());
            assertEquals(life.watch.id() + ":rollback#1", call.id());
            assertEquals("default", call.target());
            assertTrue(call.body().contains("\"type\":\"rollback\""), call.body());
            assertTrue(call.body().contains("\"reason\":{\"rule\":\"error-rate\",\"severity\":\"P0\",\"value\":0.2,"
                    + "\"threshold\":\"> 0.05\"}"), call.body());
            assertTrue(call.body().contains("\"at\":\"2026-11-21T10:00:15Z\""), call.body());
        }

        @Test
        @DisplayName("after finish is refused, and a finish after the P0 step is refused: never both")
        void raceWithFinish() {
            Life finished = in("passed");
            Step p0 = finished.step(errorRate(0.2));
            assertInstanceOf(Step.Refused.class, p0);
            Life rolling = in("rolling_back");
            Step finish = rolling.step(new Input.Finish("ci", null));
            assertInstanceOf(Step.Refused.class, finish);
            assertEquals(1, rolling.steps.stream().flatMap(s -> s.effects().stream())
                    .filter(Effect.CallRollback.class::isInstance).count(), "exactly one rollback call");
        }

        @Test
        @DisplayName("a second P0 while rolling back asks for no second rollback")
        void once() {
            Life life = in("rolling_back");
            Step again = life.step(new Input.Tick());
            Step.Moved moved = assertInstanceOf(Step.Moved.class, again);
            assertTrue(moved.effects().stream().noneMatch(Effect.CallRollback.class::isInstance));
        }
    }

    @Nested
    @DisplayName("a rollback that fails")
    class Failed {
        @Test
        @DisplayName("raises the incident to P0 'rollback failed', pages every level at once, and keeps the alert firing")
        void loud() {
            Life life = in("rollback_failed");
            Incident inc = life.watch.incident();
            assertEquals(Incident.Cause.ROLLBACK_FAILED, inc.cause());
            assertEquals(Incident.Status.OPEN, inc.status());
            assertEquals("failed", life.watch.release().verdict().label());
            List<String> paged = life.last().effects().stream().filter(Effect.Notify.class::isInstance)
                    .map(e -> ((Effect.Notify) e).notification().receiver()).toList();
            assertEquals(List.of("rm", "pager", "cto"), paged);
            assertTrue(life.watch.held());
            List<Notification> firing = Firing.of(life.watch, CTX, life.now);
            assertEquals(1, firing.size());
            assertTrue(firing.get(0).message().firing());
            assertTrue(firing.get(0).message().title().contains("ROLLBACK FAILED"), firing.get(0).message().title());
        }

        @Test
        @DisplayName("keeps paging everyone every 'repeat' while nobody acknowledges")
        void repeats() {
            Life life = in("rollback_failed");
            life.at(Duration.ofMinutes(15).plusSeconds(1), new Input.Tick());
            List<String> paged = life.last().effects().stream().map(e -> ((Effect.Notify) e).notification())
                    .map(n -> n.kind().label() + ":" + n.receiver()).toList();
            assertEquals(List.of("repeated:rm", "repeated:pager", "repeated:cto"), paged);
        }

        @Test
        @DisplayName("can be tried again by on-call: the same Idempotency-Key and body, a new outbox entry")
        void retried() {
            Life life = in("rollback_failed");
            Effect.CallRollback first = life.rollbackCall();
            life.apply(new Input.DecideRollback("alice", "try again"));
            Effect.CallRollback second = life.rollbackCall();
            assertEquals("rolling_back", life.watch.release().state().label());
            assertEquals(first.key(), second.key());
            assertEquals(first.body(), second.body());
            assertEquals(life.watch.id() + ":rollback#2", second.id());
            life.apply(answered(life, true));
            assertEquals("rolled_back", life.watch.release().state().label());
            assertEquals(Incident.Status.RESOLVED, life.watch.incident().status());
        }

        @Test
        @DisplayName("ends when a person accepts it: the incident resolves and the alert stops firing")
        void accepted() {
            Life life = in("rollback_failed");
            life.apply(new Input.Accept("alice", "rolled back by hand"));
            assertEquals(Incident.Status.RESOLVED, life.watch.incident().status());
            assertFalse(life.watch.held());
            assertTrue(Firing.of(life.watch, CTX, life.now).isEmpty());
            Notification told = ((Effect.Notify) life.last().effects().get(0)).notification();
            assertFalse(told.message().firing(), "Alertmanager hears it resolved");
        }
    }

    @Nested
    @DisplayName("after a rollback")
    class Verification {
        @Test
        @DisplayName("the rules that breached are watched; recovered once they are ok again")
        void recovered() {
            Life life = in("rolled_back");
            assertEquals("pending", life.watch.verification().state().label());
            assertEquals(List.of("error-rate"), life.watch.verification().rules());
            assertEquals(List.of("checking that the rollback brings error-rate back by "
                            + life.watch.verification().until().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                    life.last().events().stream().filter(e -> e.type() == Event.Type.VERIFICATION).map(Event::message).toList());
            life.at(Duration.ofMinutes(2), errorRate(0.001));
            assertEquals("recovered", life.watch.verification().state().label());
            assertFalse(life.watch.held());
        }

        @Test
        @DisplayName("not recovered by 'verify' opens a P0 incident 'rollback did not restore health' that pages everyone")
        void notRecovered() {
            Life life = in("rolled_back");
            life.at(Duration.ofMinutes(5), errorRate(0.2));
            assertEquals("pending", life.watch.verification().state().label());
            life.at(Duration.ofMinutes(10).plusSeconds(21), new Input.Tick());
            assertEquals("not_recovered", life.watch.verification().state().label());
            Incident inc = life.watch.incident();
            assertEquals(Incident.Cause.NOT_RECOVERED, inc.cause());
            assertEquals(2, inc.number(), "a new incident: the first was resolved by the rollback");
            assertEquals(List.of("not_recovered:rm", "not_recovered:pager", "not_recovered:cto"), life.last().effects()
                    .stream().map(e -> ((Effect.Notify) e).notification()).map(n -> n.kind().label() + ":" + n.receiver())
                    .toList());
            assertTrue(life.watch.held());
        }
    }

    @Nested
    @DisplayName("time passing")
    class Time {
        @Test
        @DisplayName("climbs the ladder on time with nothing observed, and reaches the verdict at the bake")
        void ladderAndBake() {
            Life life = in("degraded");
            life.at(Duration.ofMinutes(15).plusSeconds(15), new Input.Tick());
            assertEquals(2, life.watch.incident().level());
            Life quiet = in("watching");
            quiet.at(Duration.ofMinutes(30), new Input.Tick());
            assertEquals("healthy", quiet.watch.release().verdict().label());
            assertTrue(quiet.last().events().stream().anyMatch(e -> e.type() == Event.Type.VERDICT));
        }

        @Test
        @DisplayName("ends the window: passed, and no longer held")
        void window() {
            Life life = in("watching");
            life.at(Duration.ofHours(2), new Input.Tick());
            assertEquals("passed", life.watch.release().state().label());
            assertFalse(life.watch.held());
            assertNull(Machine.openIncident(life.watch));
        }
    }

    @Nested
    @DisplayName("deploy noise")
    class DeployNoise {
        final Machine noisy = new Machine(new Context(new ConfigLoader(n -> null).parse("""
                prometheus: {url: "http://127.0.0.1:1"}
                receivers:
                  pager: {alertmanager: {url: "http://127.0.0.1:9093"}}
                escalation:
                  default:
                    levels: [{after: 0m, notify: [pager]}]
                    deployNoise: {alertmanager: pager, matchers: ['alertname=~"KubePod.*"']}
                rollback:
                  default: {webhook: {url: "https://deployer.example/rollback"}}
                """, "test.yml"), CTX.rules()));

        Step.Moved step(Watch w, Input input, Duration at) {
            return assertInstanceOf(Step.Moved.class, noisy.step(w, input, T0.plus(at)));
        }

        @Test
        @DisplayName("registration asks for a silence of the release's own noise until the bake ends")
        void silenced() {
            Watch w = new Life().watch;
            Step.Moved registered = step(null, new Input.Register(w.release()), Duration.ZERO);
            Effect.Silence silence = (Effect.Silence) registered.effects().stream().filter(Effect.Silence.class::isInstance)
                    .findFirst().orElseThrow();
            assertEquals(w.release().bakeUntil(), silence.until());
            assertEquals(List.of("alertname", "service", "environment"),
                    silence.matchers().stream().map(dev.watchdog.config.DeployNoise.LabelMatcher::name).toList());
            assertTrue(silence.comment().contains("(release " + w.id() + ")"));
        }

        @Test
        @DisplayName("a rollback, a cancel or a finish during the bake expires it early; after the bake, nothing to expire")
        void expired() {
            Watch w = step(null, new Input.Register(new Life().watch.release()), Duration.ZERO).watch();
            for (Input end : List.of(errorRate(0.2), new Input.Cancel("ci", null), new Input.Finish("ci", null),
                    new Input.DecideRollback("alice", null), new Input.Supersede("rel_newer", "1.4.1"))) {
                assertTrue(step(w, end, Duration.ofMinutes(1)).effects().stream().anyMatch(Effect.Unsilence.class::isInstance),
                        end + " expires the silence");
            }
            assertTrue(step(w, new Input.Cancel("ci", null), Duration.ofMinutes(31)).effects().stream()
                    .noneMatch(Effect.Unsilence.class::isInstance), "the silence already ended with the bake");
        }
    }

    @Test
    @DisplayName("a page is no longer wanted once its incident is acknowledged; other messages always are")
    void wanted() {
        Life life = in("degraded");
        Notification page = life.steps.stream().flatMap(s -> s.effects().stream()).filter(Effect.Notify.class::isInstance)
                .map(e -> ((Effect.Notify) e).notification()).filter(n -> n.kind() == Notice.Kind.OPENED).findFirst()
                .orElseThrow();
        assertTrue(Machine.wanted(life.watch, page));
        life.apply(new Input.Ack("alice", "mine"));
        assertFalse(Machine.wanted(life.watch, page));
        assertTrue(Machine.wanted(life.watch, notification(life)));
    }
}
