package dev.watchdog.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.core.Severity;
import dev.watchdog.incident.Incident.Breach;
import dev.watchdog.incident.Incident.Status;
import dev.watchdog.incident.Notice.Kind;
import dev.watchdog.incident.Policy.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EscalatorTest {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    /** The release criteria's ladder: release manager and DevOps at once, CTO and VP at 15 min, CEO at 30 min. */
    static final Policy SEED = policy(Duration.ofMinutes(10), null, null);

    static Policy policy(Duration repeat, Duration reescalateAfter, Duration autoRollbackAfter) {
        return new Policy(List.of(
                new Level(Duration.ZERO, List.of("release-manager", "devops")),
                new Level(Duration.ofMinutes(15), List.of("cto", "vp-engineering")),
                new Level(Duration.ofMinutes(30), List.of("ceo"))), repeat, reescalateAfter, autoRollbackAfter,
                null, null, null);
    }

    static Map<String, Breach> p1(String... rules) {
        Map<String, Breach> out = new java.util.LinkedHashMap<>();
        for (String r : rules) {
            out.put(r, new Breach(r, Severity.P1, 0.02, null, "> 0.01"));
        }
        return out;
    }

    static final Map<String, Breach> NONE = Map.of();

    /** Ticks the state machine every minute and keeps every notice, like the daemon's evaluator. */
    static final class Ladder {
        final Policy policy;
        Incident incident;
        Instant now = T0;
        final List<Notice> sent = new ArrayList<>();
        boolean rolledBack;

        Ladder(Policy policy) {
            this.policy = policy;
        }

        Ladder tick(Map<String, Breach> breaching) {
            Escalator.Step step = Escalator.afterTick(incident, "rel_1", breaching, policy, now);
            apply(step);
            return this;
        }

        /** Ticks each minute until {@code minutes} after T0 (inclusive). */
        Ladder until(int minutes, Map<String, Breach> breaching) {
            while (!now.isAfter(T0.plus(Duration.ofMinutes(minutes)))) {
                tick(breaching);
                now = now.plus(Duration.ofMinutes(1));
            }
            now = now.minus(Duration.ofMinutes(1));
            return this;
        }

        void apply(Escalator.Step step) {
            incident = step.incident();
            sent.addAll(step.notices());
            rolledBack |= step.rollBack();
        }

        List<String> kinds() {
            return sent.stream().map(n -> n.kind().label() + "@" + n.level() + ":" + String.join(",", n.receivers())).toList();
        }
    }

    @Test
    @DisplayName("a P1 climbs the ladder on time: level 1 at once, level 2 at 15 min, level 3 at 30 min")
    void ladder() {
        Ladder l = new Ladder(policy(null, null, null)).until(45, p1("error-rate"));
        assertEquals(List.of("opened@1:release-manager,devops", "escalated@2:cto,vp-engineering", "escalated@3:ceo"),
                l.kinds());
        assertEquals(3, l.incident.level());
        assertEquals(Status.OPEN, l.incident.status());
        assertEquals("rel_1.1", l.incident.id());
        assertEquals(List.of("rel_1.1:1:opened", "rel_1.1:2:escalated", "rel_1.1:3:escalated"),
                l.sent.stream().map(Notice::key).toList());
    }

    @Test
    @DisplayName("level 2 comes exactly at T+15m, not a tick before")
    void exactTiming() {
        Ladder l = new Ladder(SEED).until(14, p1("error-rate"));
        assertEquals(1, l.incident.level());
        assertEquals(List.of("opened@1:release-manager,devops", "repeated@1:release-manager,devops"), l.kinds());
        assertEquals(T0.plus(Duration.ofMinutes(15)), l.incident.nextDueAt(), "level 2 is next: the repeat came at 10 min");
        l.now = T0.plus(Duration.ofMinutes(15));
        l.tick(p1("error-rate"));
        assertEquals(2, l.incident.level());
    }

    @Test
    @DisplayName("the current level hears again every 'repeat' while nobody answers, and the repeat clock restarts at each level")
    void repeat() {
        Ladder l = new Ladder(policy(Duration.ofMinutes(5), null, null)).until(20, p1("error-rate"));
        assertEquals(List.of("opened@1:release-manager,devops", "repeated@1:release-manager,devops",
                "repeated@1:release-manager,devops", "escalated@2:cto,vp-engineering",
                "repeated@2:cto,vp-engineering"), l.kinds());
        assertEquals(1, l.incident.repeats(), "the incident counts the repeats of its current level");
    }

    /** Level 1 five minutes after the incident opens, level 2 at 15 min. */
    static Policy late(Duration repeat, Duration reescalateAfter, Duration autoRollbackAfter) {
        return new Policy(List.of(new Level(Duration.ofMinutes(5), List.of("release-manager")),
                new Level(Duration.ofMinutes(15), List.of("cto"))), repeat, reescalateAfter, autoRollbackAfter,
                null, null, null);
    }

    @Test
    @DisplayName("an incident that recovers before its first level is due resolves quietly: nobody was paged")
    void recoversBeforeAnyonePaged() {
        Ladder l = new Ladder(late(Duration.ofMinutes(10), null, null)).until(3, p1("error-rate"));
        assertEquals(0, l.incident.level());
        assertEquals(T0.plus(Duration.ofMinutes(5)), l.incident.nextDueAt(), "level 1 is next; no repeat before it");
        l.until(4, NONE);
        assertEquals(Status.RESOLVED, l.incident.status());
        assertEquals(List.of(), l.kinds());
    }

    @Test
    @DisplayName("with a grace before level 1, those paged first hear that an incident opened, not that it escalated")
    void graceBeforeLevelOne() {
        Ladder l = new Ladder(late(null, null, null)).until(16, p1("error-rate"));
        assertEquals(List.of("opened@1:release-manager", "escalated@2:cto"), l.kinds());
    }

    @Test
    @DisplayName("an automatic rollback asked during level 1's grace is no acceptance: level 1 then hears the incident opened")
    void autoRollbackDuringGrace() {
        Ladder l = new Ladder(late(null, null, Duration.ofMinutes(3))).until(6, p1("error-rate"));
        assertTrue(l.rolledBack);
        assertEquals(List.of("opened@1:release-manager"), l.kinds());
    }

    @Test
    @DisplayName("next due is the first of: the next level, the repeat, the automatic rollback of an unacknowledged P1")
    void nextDue() {
        Ladder p1 = new Ladder(late(null, null, Duration.ofMinutes(3))).until(0, p1("error-rate"));
        assertEquals(T0.plus(Duration.ofMinutes(3)), p1.incident.nextDueAt());
        p1.until(3, p1("error-rate"));
        assertTrue(p1.rolledBack);
        assertEquals(T0.plus(Duration.ofMinutes(5)), p1.incident.nextDueAt(), "the rollback is asked once");
        Ladder p0 = new Ladder(late(null, null, Duration.ofMinutes(3))).until(0,
                Map.of("error-rate", new Breach("error-rate", Severity.P0, 0.09, null, "> 0.05")));
        assertEquals(T0.plus(Duration.ofMinutes(5)), p0.incident.nextDueAt(), "a P0 rolls back at once, not after a wait");
    }

    @Nested
    @DisplayName("acknowledgement")
    class Ack {
        @Test
        @DisplayName("stops the ladder and the repeats at once, and tells everyone paged so far")
        void stopsEverything() {
            Ladder l = new Ladder(SEED).until(16, p1("error-rate"));
            l.apply(Escalator.acknowledge(l.incident, "alice", "looking", l.now));
            int before = l.sent.size();
            assertEquals("acknowledged@2:release-manager,devops,cto,vp-engineering", l.kinds().get(before - 1));
            l.until(90, p1("error-rate"));
            assertEquals(before, l.sent.size(), "nothing after the ack: " + l.kinds());
            assertEquals(Status.ACKNOWLEDGED, l.incident.status());
            assertEquals("alice", l.incident.acknowledged().who());
            assertNull(l.incident.nextDueAt());
        }

        @Test
        @DisplayName("an acknowledged incident still breaching after reescalateAfter escalates to the next level")
        void reescalates() {
            Ladder l = new Ladder(policy(null, Duration.ofMinutes(20), null)).until(2, p1("error-rate"));
            l.apply(Escalator.acknowledge(l.incident, "alice", null, l.now));
            assertEquals(T0.plus(Duration.ofMinutes(22)), l.incident.nextDueAt());
            l.until(21, p1("error-rate"));
            assertEquals(Status.ACKNOWLEDGED, l.incident.status());
            l.until(22, p1("error-rate"));
            assertEquals(Status.OPEN, l.incident.status());
            assertEquals("reescalated@2:cto,vp-engineering", l.kinds().get(l.kinds().size() - 1));
            l.until(37, p1("error-rate"));
            assertEquals("escalated@3:ceo", l.kinds().get(l.kinds().size() - 1), "the ladder goes on from level 2");
        }

        @Test
        @DisplayName("cannot acknowledge twice, nor what is not open")
        void conflicts() {
            Ladder l = new Ladder(SEED).until(1, p1("error-rate"));
            l.apply(Escalator.acknowledge(l.incident, "alice", null, l.now));
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> Escalator.acknowledge(l.incident, "bob", null, l.now));
            assertEquals("cannot acknowledge: the incident is acknowledged", twice.getMessage());
            assertEquals("there is no open incident to acknowledge", assertThrows(IllegalStateException.class,
                    () -> Escalator.acknowledge(null, "bob", null, l.now)).getMessage());
        }

        @Test
        @DisplayName("with no levels there is nobody to re-escalate to: the incident stays acknowledged, quietly")
        void nobodyToReescalateTo() {
            Policy none = new Policy(List.of(), null, Duration.ofMinutes(5), null, null, null, null);
            Ladder l = new Ladder(none).until(1, p1("error-rate"));
            l.apply(Escalator.acknowledge(l.incident, "alice", null, l.now));
            l.until(20, p1("error-rate"));
            assertEquals(Status.ACKNOWLEDGED, l.incident.status());
            assertEquals(0, l.incident.level());
            assertEquals(List.of(), l.kinds());
        }
    }

    @Nested
    @DisplayName("accept")
    class Accept {
        @Test
        @DisplayName("keeps quiet while the accepted breach goes on")
        void quiet() {
            Ladder l = new Ladder(SEED).until(1, p1("error-rate"));
            l.apply(Escalator.accept(l.incident, "alice", "known slow path", l.now));
            int before = l.sent.size();
            l.until(60, p1("error-rate"));
            assertEquals(before, l.sent.size());
            assertEquals(Status.ACCEPTED, l.incident.status());
            assertFalse(l.incident.open());
        }

        @Test
        @DisplayName("pages again from level 1 when another rule breaches")
        void anotherRule() {
            Ladder l = new Ladder(SEED).until(20, p1("error-rate"));
            l.apply(Escalator.accept(l.incident, "alice", null, l.now));
            l.now = l.now.plus(Duration.ofMinutes(1));
            l.tick(p1("error-rate", "latency-p95"));
            assertEquals("reopened@1:release-manager,devops", l.kinds().get(l.kinds().size() - 1));
            assertEquals(Status.OPEN, l.incident.status());
        }

        @Test
        @DisplayName("pages again when the accepted breach worsens to P0, as an upgrade")
        void worsens() {
            Ladder l = new Ladder(SEED).until(2, p1("error-rate"));
            l.apply(Escalator.accept(l.incident, "alice", null, l.now));
            l.now = l.now.plus(Duration.ofMinutes(1));
            l.tick(Map.of("error-rate", new Breach("error-rate", Severity.P0, 0.09, null, "> 0.05")));
            List<String> kinds = l.kinds();
            assertEquals("upgraded@1:release-manager,devops", kinds.get(kinds.size() - 2));
            assertEquals("reopened@1:release-manager,devops", kinds.get(kinds.size() - 1));
            assertEquals(Severity.P0, l.incident.severity());
        }

        @Test
        @DisplayName("with a grace before level 1, a reopened incident pages nobody until the grace is over, then says it breaches again")
        void reopenedWaitsOutTheGrace() {
            Ladder l = new Ladder(late(Duration.ofMinutes(10), null, null)).until(6, p1("error-rate"));
            l.apply(Escalator.accept(l.incident, "alice", null, l.now));
            int before = l.sent.size();
            l.now = T0.plus(Duration.ofMinutes(20));
            l.tick(p1("error-rate", "latency-p95"));
            assertEquals(Status.OPEN, l.incident.status());
            assertEquals(before, l.sent.size(), "level 1 is not due yet: nobody hears it");
            assertEquals(T0.plus(Duration.ofMinutes(25)), l.incident.nextDueAt());
            l.until(25, p1("error-rate", "latency-p95"));
            assertEquals(before + 1, l.sent.size(), "level 1 hears it once its grace is over");
            assertEquals("reopened@1:release-manager", l.kinds().get(l.kinds().size() - 1),
                    "it breaches again: it did not just open");
        }
    }

    @Test
    @DisplayName("a P1 that becomes P0 is upgraded in place: same incident, everyone paged hears it")
    void upgrade() {
        Ladder l = new Ladder(SEED).until(16, p1("error-rate"));
        l.now = l.now.plus(Duration.ofMinutes(1));
        l.tick(Map.of("error-rate", new Breach("error-rate", Severity.P0, 0.09, null, "> 0.05")));
        assertEquals("rel_1.1", l.incident.id());
        assertEquals(Severity.P0, l.incident.severity());
        assertEquals("upgraded@2:release-manager,devops,cto,vp-engineering", l.kinds().get(l.kinds().size() - 1));
        assertEquals(0.09, l.incident.rules().get("error-rate").value());
    }

    @Test
    @DisplayName("resolves when every rule has recovered, telling everyone paged; the next breach is a new incident")
    void resolves() {
        Ladder l = new Ladder(SEED).until(16, p1("error-rate"));
        l.now = l.now.plus(Duration.ofMinutes(1));
        l.tick(NONE);
        assertEquals(Status.RESOLVED, l.incident.status());
        assertEquals("recovered", l.incident.resolution());
        assertEquals("resolved@2:release-manager,devops,cto,vp-engineering", l.kinds().get(l.kinds().size() - 1));
        l.now = l.now.plus(Duration.ofMinutes(1));
        l.tick(p1("latency-p95"));
        assertEquals("rel_1.2", l.incident.id());
        assertEquals("opened@1:release-manager,devops", l.kinds().get(l.kinds().size() - 1));
    }

    @Test
    @DisplayName("an unacknowledged P1 rolls back after autoRollbackAfter, once; an acknowledged one does not")
    void autoRollback() {
        Ladder l = new Ladder(policy(null, null, Duration.ofMinutes(20))).until(19, p1("error-rate"));
        assertFalse(l.rolledBack);
        l.until(40, p1("error-rate"));
        assertTrue(l.rolledBack);
        assertEquals(1, l.incident.decisions().stream().filter(d -> d.kind().equals("auto_rollback")).count());

        Ladder acked = new Ladder(policy(null, null, Duration.ofMinutes(20))).until(5, p1("error-rate"));
        acked.apply(Escalator.acknowledge(acked.incident, "alice", null, acked.now));
        acked.until(40, p1("error-rate"));
        assertFalse(acked.rolledBack);
    }

    @Test
    @DisplayName("the policy is frozen when the incident opens: a reload does not change its ladder")
    void frozenPolicy() {
        Ladder l = new Ladder(SEED).until(1, p1("error-rate"));
        Policy reloaded = new Policy(List.of(new Level(Duration.ZERO, List.of("someone-else"))), null, null, null,
                null, null, null);
        Escalator.Step step = Escalator.afterTick(l.incident, "rel_1", p1("error-rate"), reloaded,
                T0.plus(Duration.ofMinutes(15)));
        assertEquals("cto", step.notices().get(0).receivers().get(0));
    }

    @Test
    @DisplayName("a failed rollback raises the incident to P0, tells every level at once, and keeps it open; a done one is told to those paged")
    void rollbackAnswers() {
        Ladder l = new Ladder(SEED).until(1, p1("error-rate"));
        Escalator.Step acked = Escalator.acknowledge(l.incident, "alice", "looking", l.now);
        Escalator.Step failed = Escalator.raise(acked.incident(), "rel_1", Incident.Cause.ROLLBACK_FAILED, Map.of(),
                l.incident.policy(), l.now);
        assertEquals(List.of("release-manager", "devops", "cto", "vp-engineering", "ceo"), failed.notices().get(0).receivers());
        assertEquals(Kind.ROLLBACK_FAILED, failed.notices().get(0).kind());
        assertEquals(Severity.P0, failed.incident().severity());
        assertEquals(Incident.Status.OPEN, failed.incident().status(), "an earlier ack does not cover a failed rollback");
        assertEquals(3, failed.incident().level());
        Escalator.Step repeated = Escalator.timePassed(failed.incident(), l.now.plus(Duration.ofMinutes(10)));
        assertEquals(Kind.REPEATED, repeated.notices().get(0).kind());
        assertEquals(5, repeated.notices().get(0).receivers().size(), "repeats go to everyone");
        Escalator.Step done = Escalator.rolledBack(l.incident, l.now);
        assertEquals(List.of("release-manager", "devops"), done.notices().get(0).receivers());
        assertEquals("rolled_back", done.incident().resolution());
        assertEquals("rel_1.1", failed.incident().id(), "the open incident is raised, not replaced");
    }

    @Test
    @DisplayName("a raised incident keeps the breaches it had and adds those still breaching")
    void raiseKeepsBreaches() {
        Ladder l = new Ladder(SEED).until(1, p1("error-rate"));
        Escalator.Step failed = Escalator.raise(l.incident, "rel_1", Incident.Cause.ROLLBACK_FAILED, p1("latency-p95"),
                SEED, l.now);
        assertEquals(List.of("error-rate", "latency-p95"), failed.incident().rules().keySet().stream().sorted().toList());
    }

    @Test
    @DisplayName("a rollback that fails with no incident open opens the next one, as a P0 with that cause")
    void raiseWithoutIncident() {
        Escalator.Step first = Escalator.raise(null, "rel_1", Incident.Cause.ROLLBACK_FAILED, NONE, SEED, T0);
        assertEquals("rel_1.1", first.incident().id());
        assertEquals(Incident.Cause.ROLLBACK_FAILED, first.incident().cause());
        Incident resolved = Escalator.accept(first.incident(), "alice", "rolled back by hand", T0).incident();
        assertEquals(Status.RESOLVED, resolved.status());
        Escalator.Step second = Escalator.raise(resolved, "rel_1", Incident.Cause.NOT_RECOVERED, NONE, SEED, T0);
        assertEquals("rel_1.2", second.incident().id());
        assertEquals(Kind.NOT_RECOVERED, second.notices().get(0).kind());
        assertEquals(Status.OPEN, second.incident().status());
    }

    @Test
    @DisplayName("a rollback cannot be decided on an incident that is over")
    void rollbackOnResolved() {
        Ladder l = new Ladder(SEED).until(1, p1("error-rate")).until(2, NONE);
        assertEquals("there is no open incident to roll back", assertThrows(IllegalStateException.class,
                () -> Escalator.rollbackDecided(l.incident, "alice", null, l.now)).getMessage());
    }
}
