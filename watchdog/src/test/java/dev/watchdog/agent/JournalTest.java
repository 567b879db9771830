package dev.watchdog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    static final Call CALL = new Call("rel_1:rollback", "rel_1", "api", "1.4.0", "1.3.2", "production", Map.of(),
            "error-rate", "P0", "watchdog");

    Journal open(boolean recover) throws Exception {
        return Journal.open(dir.resolve("journal.db"), Clock.systemUTC(), recover);
    }

    @Test
    @DisplayName("what ran is kept across a reopen: the run, its attempts, each step with its exit code")
    void durable() throws Exception {
        try (Journal j = open(true)) {
            j.begin(CALL, "api-kubernetes");
            j.stepStarted(CALL.key(), "undo");
            j.stepEnded(CALL.key(), "undo", Journal.Status.SUCCEEDED, 0, null);
            j.stepStarted(CALL.key(), "downgrade");
            j.stepEnded(CALL.key(), "downgrade", Journal.Status.FAILED, 3, "step 'downgrade' exited 3");
            j.ended(CALL.key(), Journal.Status.FAILED, "step 'downgrade' exited 3");
            j.begin(CALL, "api-kubernetes");
        }
        try (Journal j = open(true)) {
            Journal.Entry e = j.find(CALL.key()).orElseThrow();
            assertEquals(2, e.attempts());
            assertEquals(Journal.Status.INTERRUPTED, e.status(), "running when the process went away");
            assertEquals(Journal.Status.SUCCEEDED, e.step("undo").orElseThrow().status());
            assertEquals(3, e.step("downgrade").orElseThrow().exitCode());
        }
    }

    @Test
    @DisplayName("a step running at a crash becomes interrupted at the agent's start, never when a tool opens the journal")
    void interruptedOnlyByTheAgent() throws Exception {
        try (Journal j = open(true)) {
            j.begin(CALL, "api-kubernetes");
            j.stepStarted(CALL.key(), "downgrade");
        }
        try (Journal tool = open(false)) {
            assertEquals(Journal.Status.RUNNING, tool.find(CALL.key()).orElseThrow().status());
        }
        try (Journal agent = open(true)) {
            Journal.Entry e = agent.find(CALL.key()).orElseThrow();
            assertEquals(Journal.Status.INTERRUPTED, e.status());
            assertEquals(Journal.Status.INTERRUPTED, e.step("downgrade").orElseThrow().status());
            assertEquals(1, agent.list(Journal.Status.INTERRUPTED, 10).size());
        }
    }

    @Test
    @DisplayName("an operator resolves an interrupted run: --done counts the step as done, --rerun runs it again")
    void resolve() throws Exception {
        Call other = new Call("rel_2:rollback", "rel_2", "api", "1.4.1", "1.4.0", "production", Map.of(), null, null, "alice");
        try (Journal j = open(true)) {
            j.begin(CALL, "a");
            j.stepStarted(CALL.key(), "downgrade");
            j.begin(other, "a");
            j.stepStarted(other.key(), "downgrade");
        }
        try (Journal j = open(true)) {
            assertTrue(j.resolve(CALL.key(), true));
            assertTrue(j.resolve(other.key(), false));
            assertFalse(j.resolve(CALL.key(), true), "only an interrupted run can be resolved");
            assertEquals(Journal.Status.FAILED, j.find(CALL.key()).orElseThrow().status());
            assertEquals(Journal.Status.SUCCEEDED, j.find(CALL.key()).orElseThrow().step("downgrade").orElseThrow().status());
            assertEquals(Journal.Status.FAILED, j.find(other.key()).orElseThrow().step("downgrade").orElseThrow().status());
        }
    }

    @Test
    @DisplayName("what a tool writes beside the running agent is what the agent reads next, and the agent can still write")
    void toolBesideAgent() throws Exception {
        try (Journal agent = open(true)) {
            agent.begin(CALL, "a");
            agent.stepStarted(CALL.key(), "downgrade");
        }
        try (Journal agent = open(true)) {
            assertEquals(Journal.Status.INTERRUPTED, agent.find(CALL.key()).orElseThrow().status());
            try (Journal tool = open(false)) {
                assertTrue(tool.resolve(CALL.key(), false));
            }
            assertEquals(Journal.Status.FAILED, agent.find(CALL.key()).orElseThrow().status());
            agent.begin(CALL, "a");
            assertEquals(2, agent.find(CALL.key()).orElseThrow().attempts());
        }
    }
}
