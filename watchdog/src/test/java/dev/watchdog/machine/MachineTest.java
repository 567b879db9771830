package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Message;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import dev.watchdog.judge.Observation;
import dev.watchdog.release.Event;
import dev.watchdog.release.Registration;
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
        Machine machine;
        Watch watch;
        Instant now = T0;
        final List<Step.Moved> steps = new ArrayList<>();

        Life() {
            this(MACHINE);
        }

        /** api 1.4.0 in production, registered at T0 on {@code machine}: a 2h window, a 30m bake. */
        Life(Machine machine) {
            this(machine, Map.of());
        }

        /** As above, its rules having seen {@code before} at registration. */
        Life(Machine machine, Map<String, Observation> before) {
            this.machine = machine;
            Release r = new Registration("api", "1.4.0", "1.3.2", "production", Map.of(), Duration.ofHours(2),
                    Duration.ofMinutes(30), null, null).toRelease(T0, Duration.ofHours(24), Set.of("default"),
                    Set.of("default"), Set.of("service"));
            apply(new Input.Register(r, before));
        }

        Step step(Input input) {
            return machine.step(watch, input, now);
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

        /** The last step's timeline, one "type: message" a line. */
        List<String> timeline() {
            return last().events().stream().map(e -> e.type().label() + ": " + e.message()).toList();
        }

        /** The last step's notifications, as "kind:receiver". */
        List<String> notified() {
            return last().effects().stream().filter(Effect.Notify.class::isInstance)
                    .map(e -> ((Effect.Notify) e).notification()).map(n -> n.kind().label() + ":" + n.receiver()).toList();
        }

        /** The data of the last step's first event of {@code type}. */
        Map<String, Object> data(Event.Type type) {
            return last().events().stream().filter(e -> e.type() == type).findFirst().orElseThrow().data();
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
        if (expected.equals("refused")) {
            Step.Refused refused = assertInstanceOf(Step.Refused.class, step, state + " + " + input);
            assertFalse(refused.why().isBlank(), "a refusal says why");
        } else {
            Step.Moved moved = assertInstanceOf(Step.Moved.class, step, state + " + " + input + ": " + step);
            assertEquals(expected, moved.watch().release().state().label(), state + " + " + input);
        }
    }

    @Test
    @DisplayName("an input for a release that does not exist is refused")
    void noSuchRelease() {
        assertEquals(new Step.Refused("no such release"), MACHINE.step(null, new Input.Tick(), T0));
    }

    @Test
    @DisplayName("the table covers every state and every input")
    void tableIsComplete() {
        assertEquals(Release.State.values().length, TABLE.size());
        TABLE.values().forEach(row -> assertEquals(INPUTS.size(), row.size()));
    }

    @Nested
    @DisplayName("on the timeline")
    class OnTheTimeline {
        @Test
        @DisplayName("registration says what is watched and for how long, and tells the announce list")
        void registered() {
            Life life = new Life();
            assertEquals(List.of("registered: watching api 1.4.0 in production for 2h", "announcement: watching -> rm, pager"),
                    life.timeline());
            assertEquals(List.of("watching:rm"), life.notified(), "Alertmanager takes no lifecycle chatter");
            assertTrue(life.last().events().stream().allMatch(e -> e.releaseId().equals(life.watch.id())));
        }

        @Test
        @DisplayName("finish is passed and healthy, with who and why")
        void finished() {
            Life life = in("watching").apply(new Input.Finish("ci", "smoke tests green"));
            assertEquals("healthy", life.watch.release().verdict().label());
            assertEquals(List.of("finished: finished by ci"), life.timeline());
            assertEquals(Map.of("by", "ci", "reason", "smoke tests green"), life.data(Event.Type.FINISHED));
            assertTrue(life.watch.judged());
        }

        @Test
        @DisplayName("cancel gives no verdict; with no reason given, none is recorded")
        void cancelled() {
            Life life = in("watching").apply(new Input.Cancel("ci", null));
            assertNull(life.watch.release().verdict());
            assertEquals(List.of("cancelled: cancelled by ci"), life.timeline());
            assertEquals(Map.of("by", "ci"), life.data(Event.Type.CANCELLED));
        }

        @Test
        @DisplayName("finishing a degraded release resolves its incident, and those paged hear it")
        void finishResolves() {
            Life life = in("degraded");
            String incident = life.watch.incident().id();
            life.apply(new Input.Finish("ci", null));
            assertEquals(Incident.Status.RESOLVED, life.watch.incident().status());
            assertEquals("finished", life.watch.incident().resolution());
            assertEquals(List.of("resolved:rm", "resolved:pager"), life.notified());
            assertEquals(List.of("incident: incident " + incident + " resolved (level 1) -> rm, pager",
                    "finished: finished by ci"), life.timeline());
        }

        @Test
        @DisplayName("supersession names the newer release and resolves the incident")
        void superseded() {
            Life life = in("degraded").apply(new Input.Supersede("rel_newer", "1.4.1"));
            assertEquals("superseded", life.watch.incident().resolution());
            assertEquals(List.of("resolved:rm", "resolved:pager"), life.notified());
            assertEquals("superseded: superseded by rel_newer (1.4.1)", life.timeline().get(1));
            assertEquals(Map.of("by", "rel_newer"), life.data(Event.Type.SUPERSEDED));
        }

        @Test
        @DisplayName("an acknowledgement is stored with who and why, and told to those paged")
        void acknowledged() {
            Life life = in("degraded");
            String incident = life.watch.incident().id();
            life.apply(new Input.Ack("alice", "looking"));
            assertEquals(List.of("acknowledged: acknowledged by alice",
                    "incident: incident " + incident + " acknowledged (level 1) -> rm, pager"), life.timeline());
            assertEquals(Map.of("by", "alice", "incident", incident, "reason", "looking"),
                    life.data(Event.Type.ACKNOWLEDGED));
            assertEquals(List.of("acknowledged:rm", "acknowledged:pager"), life.notified());
        }

        @Test
        @DisplayName("a second acknowledgement is refused")
        void secondAck() {
            Life life = in("degraded").apply(new Input.Ack("alice", null));
            assertEquals(new Step.Refused("cannot acknowledge: the incident is acknowledged"),
                    life.step(new Input.Ack("bob", null)));
        }

        @Test
        @DisplayName("accepting keeps the release: back to watching, the decision told to those paged")
        void accepted() {
            Life life = in("degraded").apply(new Input.Accept("alice", "known slow path"));
            assertEquals("watching", life.watch.release().state().label());
            assertEquals("accepted: accepted by alice", life.timeline().get(0));
            assertEquals(List.of("accepted:rm", "accepted:pager"), life.notified());
        }

        @Test
        @DisplayName("a rollback decided on an incident rolls back for the incident's rule, and says so")
        void rollbackOfAnIncident() {
            Life life = in("degraded").apply(new Input.DecideRollback("alice", "users cannot log in"));
            assertEquals(List.of("rollback_decided: rollback decided by alice",
                    "incident: incident " + life.watch.incident().id() + " rollback_decided (level 1) -> rm, pager",
                    "rollback_requested: rollback requested: error-rate P1"), life.timeline());
            assertEquals(Map.of("rule", "error-rate", "severity", "P1", "value", 0.02, "threshold", "> 0.01", "by", "alice"),
                    life.data(Event.Type.ROLLBACK_REQUESTED));
            assertTrue(life.rollbackCall().body().contains("\"reason\":{\"rule\":\"error-rate\",\"severity\":\"P1\""),
                    life.rollbackCall().body());
        }

        @Test
        @DisplayName("a rollback decided with no incident is the team's call, and says who made it")
        void rollbackOfTheTeam() {
            Life life = in("watching").apply(new Input.DecideRollback("alice", "users cannot log in"));
            assertEquals(List.of("rollback_decided: rollback decided by alice",
                    "rollback_requested: rollback requested: decided by alice"), life.timeline());
            assertEquals(Map.of("by", "alice", "reason", "users cannot log in"), life.data(Event.Type.ROLLBACK_DECIDED));
            assertEquals(Map.of("severity", "none", "by", "alice"), life.data(Event.Type.ROLLBACK_REQUESTED));
            assertTrue(life.rollbackCall().body().contains("\"triggeredBy\":\"alice\""), life.rollbackCall().body());
        }

        @Test
        @DisplayName("the rollback's answer: succeeded or failed, after how many attempts, and its effect settled")
        void rollbackAnswers() {
            Life done = in("rolling_back");
            Input.RollbackAnswered ok = answered(done, true);
            done.apply(ok);
            assertEquals("rollback_succeeded: rollback succeeded after 1 attempt(s)", done.timeline().get(0));
            assertEquals(Map.of("attempts", 1, "status", 200), done.data(Event.Type.ROLLBACK_SUCCEEDED));
            assertEquals(List.of(new Step.Settled(ok.effect(), ok.answer())), done.last().settled());
            Life failed = in("rolling_back");
            failed.apply(answered(failed, false));
            assertEquals("rollback_failed: rollback failed after 8 attempt(s)", failed.timeline().get(0));
            assertEquals(Map.of("attempts", 8, "status", 503, "error", "HTTP 503"), failed.data(Event.Type.ROLLBACK_FAILED));
        }

        @Test
        @DisplayName("a stray rollback answer is settled, and changes nothing else")
        void strayAnswer() {
            Life life = in("degraded");
            Input.RollbackAnswered stray = new Input.RollbackAnswered("x#1", ok());
            life.apply(stray);
            assertEquals(List.of(), life.timeline());
            assertEquals(List.of(new Step.Settled("x#1", stray.answer())), life.last().settled());
        }

        @Test
        @DisplayName("a failed rollback tried again says so, with the same key and the try's number")
        void triedAgain() {
            Life life = in("rollback_failed").apply(new Input.DecideRollback("alice", "try again"));
            assertEquals("rollback_requested: rollback tried again (try 2, same Idempotency-Key)",
                    life.timeline().get(life.timeline().size() - 1));
            assertEquals(Map.of("key", life.watch.id() + ":rollback", "round", 2), life.data(Event.Type.ROLLBACK_REQUESTED));
        }

        @Test
        @DisplayName("the deploy script stops waiting at the verdict: not while watching or rolling back")
        void judged() {
            assertFalse(in("watching").watch.judged());
            assertFalse(in("rolling_back").watch.judged());
            assertTrue(in("rolled_back").watch.judged());
            assertTrue(in("cancelled").watch.judged());
        }
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

        @Test
        @DisplayName("'verify: 0' on the rollback target turns verification off: rolled back, nothing left to watch")
        void off() {
            Machine unverified = RoutingTest.machine("""
                    prometheus: {url: "http://127.0.0.1:1"}
                    receivers:
                      rm: {slack: {url: "https://hooks.example/rm"}}
                    escalation:
                      default: {levels: [{after: 0m, notify: [rm]}]}
                    rollback:
                      default: {webhook: {url: "https://deployer.example/rollback"}, verify: 0s}
                    """);
            Life life = new Life(unverified).at(Duration.ofSeconds(15), errorRate(0.2));
            life.at(Duration.ofSeconds(20), answered(life, true));
            assertEquals("rolled_back", life.watch.release().state().label());
            assertNull(life.watch.verification());
            assertFalse(life.watch.held());
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
            assertEquals(List.of(w.id() + ":silence", "silence"), List.of(silence.id(), silence.kind()));
            assertEquals(List.of("alertname", "service", "environment"),
                    silence.matchers().stream().map(dev.watchdog.incident.DeployNoise.LabelMatcher::name).toList());
            assertTrue(silence.comment().contains("(release " + w.id() + ")"));
        }

        @Test
        @DisplayName("each effect has its own outbox id, and names its kind as the outbox metrics do")
        void effectsNamed() {
            Watch w = step(null, new Input.Register(new Life().watch.release()), Duration.ZERO).watch();
            Step.Moved p0 = step(w, errorRate(0.2), Duration.ofMinutes(1));
            assertEquals(List.of("notify", "rollback", "silence"), p0.effects().stream().map(Effect::kind).toList());
            assertEquals(List.of(((Effect.Notify) p0.effects().get(0)).notification().key(), w.id() + ":rollback#1",
                    w.id() + ":unsilence"), p0.effects().stream().map(Effect::id).toList());
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
