package dev.watchdog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchdog.core.Json;
import dev.watchdog.testing.Cli;
import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@code watchdog release ...} run as a script runs it, against the whole daemon in-process: exit codes and output. */
class ReleaseCommandTest extends DaemonTest {

    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p1: "> 0.01"
                    p0: "> 0.05"
            """;

    String id;

    @Override
    protected String rules() {
        return RULES;
    }

    @BeforeEach
    void registered() {
        prometheus.answer("error_ratio", FakePrometheus.value("0.002"));
        Cli.Streams start = release(Daemon.DEPLOYER, "start", "--service", "api", "--version", "1.4.0",
                "--previous-version", "1.3.2", "--environment", "production", "--label", "cluster=eu-1",
                "--window", "2h", "--bake", "1h30m", "--quiet");
        assertEquals(0, start.code(), start.stderr());
        id = start.stdout().trim();
        assertTrue(id.startsWith("rel_"), start.stdout());
        daemon.tick();
    }

    /** A {@code release} subcommand against the daemon with this token, stdout and stderr apart. */
    Cli.Streams release(String token, String... args) {
        List<String> all = new ArrayList<>(List.of("release"));
        all.addAll(List.of(args));
        all.addAll(List.of("--url", daemon.url(), "--token", token));
        return Cli.streams(all.toArray(String[]::new));
    }

    @Nested
    @DisplayName("release list for people: a header, the age, filters by service, environment and state")
    class ListText {

        @Test
        @DisplayName("a header and one line per release; --service and --state keep only those that match")
        void listed() {
            Cli.Streams web = release(Daemon.DEPLOYER, "start", "--service", "web", "--version", "2.0.0",
                    "--environment", "staging", "--quiet");
            assertEquals(0, web.code(), web.stderr());
            List<String> all = release(Daemon.VIEWER, "list").stdout().lines().toList();
            assertTrue(all.get(0).matches("ID +SERVICE +VERSION +ENVIRONMENT +AGE +STATE +VERDICT"), all.get(0));
            assertEquals(3, all.size(), all.toString());
            List<String> api = release(Daemon.VIEWER, "list", "--service", "api").stdout().lines().toList();
            assertEquals(2, api.size(), api.toString());
            assertTrue(api.get(1).matches(id + " +api +1\\.4\\.0 +production +\\S+ +watching +-"), api.get(1));
            assertEquals(1, release(Daemon.VIEWER, "list", "--environment", "production", "--state", "passed")
                    .stdout().lines().count());
        }

        @Test
        @DisplayName("the age in its two largest units")
        void age() {
            java.time.Instant now = java.time.Instant.parse("2026-12-06T12:00:00Z");
            assertEquals("45s", ReleaseText.age("2026-12-06T11:59:15Z", now));
            assertEquals("12m30s", ReleaseText.age("2026-12-06T11:47:30Z", now));
            assertEquals("3h5m", ReleaseText.age("2026-12-06T08:55:00Z", now));
            assertEquals("2d", ReleaseText.age("2026-12-04T12:00:00Z", now));
            assertEquals("0s", ReleaseText.age("2026-12-06T12:00:00Z", now));
        }
    }

    @Nested
    @DisplayName("-o json prints JSON and nothing else on stdout")
    class JsonOutput {

        @Test
        @DisplayName("release list -o json: stdout is the API's array as a whole, stderr is empty")
        void list() throws Exception {
            Cli.Streams list = release(Daemon.VIEWER, "list", "-o", "json");
            assertEquals(0, list.code(), list.stderr());
            JsonNode releases = Json.MAPPER.readTree(list.stdout());
            assertTrue(releases.isArray(), list.stdout());
            assertEquals(id, releases.get(0).path("id").asText());
            assertEquals("1h30m", releases.get(0).path("bake").asText(), "--bake went as it was written");
            assertEquals("", list.stderr());
        }

        @Test
        @DisplayName("release show -o json: one object, the release with its timeline as events, nothing else")
        void show() throws Exception {
            Cli.Streams show = release(Daemon.VIEWER, "show", id, "-o", "json");
            assertEquals(0, show.code(), show.stderr());
            JsonNode release = Json.MAPPER.readTree(show.stdout());
            assertEquals("watching", release.path("state").asText());
            assertEquals("eu-1", release.path("labels").path("cluster").asText());
            assertEquals("ok", release.path("rules").get(0).path("outcome").asText());
            assertTrue(release.path("events").isArray() && release.path("events").size() >= 1, show.stdout());
            assertEquals("registered", release.path("events").get(0).path("type").asText());
            assertEquals("", show.stderr());
        }

        @Test
        @DisplayName("release show without -o is text for people: no JSON, the rule's outcome, the timeline")
        void showText() {
            Cli.Streams show = release(Daemon.VIEWER, "show", id);
            assertEquals(0, show.code(), show.stderr());
            assertFalse(show.stdout().contains("{"), show.stdout());
            assertTrue(show.stdout().startsWith(id + "  api 1.4.0 (production), previously 1.3.2\n"), show.stdout());
            assertTrue(show.stdout().contains("state     watching, verdict -\n"), show.stdout());
            assertTrue(show.stdout().matches("(?s).*\n  error-rate +ok +0\\.002 +p1 > 0\\.01  p0 > 0\\.05\n.*"), show.stdout());
            assertTrue(show.stdout().matches("(?s).*timeline\n  \\S+  registered .*"), show.stdout());
        }

        @Test
        @DisplayName("release show at 3 a.m.: state, the open incident with its breach in the rule's unit, who decided and why, what to type; then the rest")
        void incidentFirst() {
            prometheus.answer("error_ratio", FakePrometheus.value("0.0234"));
            clock.advance(java.time.Duration.ofSeconds(15));
            daemon.tick();
            assertEquals(0, release(Daemon.ONCALL, "ack", id, "--reason", "looking at the 5xx").code());
            Cli.Streams show = release(Daemon.VIEWER, "show", id);
            List<String> lines = show.stdout().lines().toList();
            assertEquals("state     degraded, verdict -", lines.get(1));
            assertTrue(lines.get(2).startsWith("incident  P1 acknowledged, nobody paged, opened "), lines.get(2));
            assertEquals("          - error-rate: 0.0234 (P1 > 0.01)", lines.get(3));
            assertTrue(lines.get(4).matches("          acknowledged by \\S+ at \\S+Z: \"looking at the 5xx\""), lines.get(4));
            assertEquals("          decide: watchdog release ack|rollback|accept " + id + " --reason '...'", lines.get(5));
            assertTrue(lines.get(6).startsWith("watched   "), lines.get(6));
        }

        @Test
        @DisplayName("an error under -o json: nothing on stdout, the reason on stderr, exit 3")
        void errorKeepsStdoutEmpty() {
            Cli.Streams show = release(Daemon.VIEWER, "show", "rel_unknown", "-o", "json");
            assertEquals(3, show.code(), show.stderr());
            assertEquals("", show.stdout());
            assertTrue(show.stderr().startsWith("watchdog release show: HTTP 404: "), show.stderr());
        }
    }

    @Nested
    @DisplayName("release wait exits 0, 1 or 2 by the verdict")
    class WaitVerdicts {

        @Test
        @DisplayName("still watching when the timeout runs out: exit 2, and the line says so")
        void undecided() {
            Cli.Streams wait = release(Daemon.VIEWER, "wait", id, "--timeout", "0s");
            assertEquals(2, wait.code(), wait.stderr());
            assertEquals(id + ": state watching, verdict none\n", wait.stdout());
        }

        @Test
        @DisplayName("finished healthy: exit 0")
        void healthy() {
            assertEquals(0, release(Daemon.DEPLOYER, "finish", id, "--reason", "done").code());
            Cli.Streams wait = release(Daemon.VIEWER, "wait", id, "--timeout", "10s");
            assertEquals(0, wait.code(), wait.stderr());
            assertEquals(id + ": state passed, verdict healthy\n", wait.stdout());
        }

        @Test
        @DisplayName("rolled back by on-call: exit 1")
        void rolledBack() {
            Cli.Streams rollback = release(Daemon.ONCALL, "rollback", id, "--reason", "users cannot log in");
            assertEquals(0, rollback.code(), rollback.stderr());
            Poll.until(Duration.ofSeconds(10), "the rollback answered", () -> "rolled_back".equals(daemon.release(id)
                    .getString("state")));
            Cli.Streams wait = release(Daemon.VIEWER, "wait", id, "--timeout", "10s");
            assertEquals(1, wait.code(), wait.stderr());
            assertEquals(id + ": state rolled_back, verdict rolled_back\n", wait.stdout());
        }
    }

    @Nested
    @DisplayName("each decision reaches its own endpoint")
    class Decisions {

        @Test
        @DisplayName("ack and accept with no incident are refused (409), cancel ends the window as cancelled")
        void decisions() {
            for (String decision : new String[] {"ack", "accept"}) {
                Cli.Streams refused = release(Daemon.ONCALL, decision, id, "--reason", "looked");
                assertEquals(3, refused.code(), refused.stderr());
                assertTrue(refused.stderr().startsWith("watchdog release " + decision + ": HTTP 409: "), refused.stderr());
            }
            Cli.Streams cancel = release(Daemon.DEPLOYER, "cancel", id, "--reason", "deploy aborted");
            assertEquals(0, cancel.code(), cancel.stderr());
            assertEquals("cancelled " + id + ": api 1.4.0 (production) is cancelled\n", cancel.stdout());
            assertEquals("cancelled", daemon.release(id).getString("state"));
        }

        @Test
        @DisplayName("a decision prints one line (the release with -o json); --as records the person behind a shared token")
        void oneLineAndAs() throws Exception {
            prometheus.answer("error_ratio", FakePrometheus.value("0.0234"));
            clock.advance(java.time.Duration.ofSeconds(15));
            daemon.tick();
            Cli.Streams ack = release(Daemon.ONCALL, "ack", id, "--as", "Bob Stone", "--reason", "on it");
            assertEquals(0, ack.code(), ack.stderr());
            assertEquals("acknowledged " + id + ": api 1.4.0 (production) is degraded\n", ack.stdout());
            Cli.Streams show = release(Daemon.VIEWER, "show", id);
            assertTrue(show.stdout().contains("acknowledged by Bob Stone via alice at "), show.stdout());
            Cli.Streams accept = release(Daemon.ONCALL, "accept", id, "-o", "json");
            assertEquals(0, accept.code(), accept.stderr());
            assertEquals(id, Json.MAPPER.readTree(accept.stdout()).path("id").asText());
            Cli.Streams impostor = release(Daemon.ONCALL, "rollback", id, "--as", "<script>");
            assertEquals(3, impostor.code());
            assertTrue(impostor.stderr().contains("as must be a person's name"), impostor.stderr());
        }
    }

    @Nested
    @DisplayName("exit 3: the API could not be reached, or refused")
    class ApiFailures {

        @Test
        @DisplayName("nothing listens: exit 3 at once for list, and for wait once its timeout has run out")
        void unreachable() {
            String nobody = "http://127.0.0.1:" + RealProcess.freePort();
            Cli.Streams list = Cli.streams("release", "list", "--url", nobody);
            assertEquals(3, list.code(), list.stderr());
            assertEquals("watchdog release list: cannot reach the watchdog at " + nobody + ": connection refused\n",
                    list.stderr());
            Cli.Streams wait = Cli.streams("release", "wait", id, "--timeout", "2s", "--url", nobody);
            assertEquals(3, wait.code(), wait.stderr());
            assertTrue(wait.stderr().contains("connection refused; trying again in 1s"), wait.stderr());
            assertEquals("", wait.stdout());
        }

        @Test
        @DisplayName("refused: a wrong token (401), a viewer deciding (403), no such release (404), finished twice (409)")
        void refused() {
            assertEquals(3, release("wrong-token", "list").code());
            Cli.Streams forbidden = release(Daemon.VIEWER, "finish", id);
            assertEquals(3, forbidden.code(), forbidden.stderr());
            assertTrue(forbidden.stderr().startsWith("watchdog release finish: HTTP 403: "), forbidden.stderr());
            assertEquals(3, release(Daemon.VIEWER, "wait", "rel_unknown", "--timeout", "1m").code(),
                    "a 404 ends the wait at once");
            assertEquals(0, release(Daemon.DEPLOYER, "finish", id).code());
            Cli.Streams twice = release(Daemon.DEPLOYER, "finish", id);
            assertEquals(3, twice.code(), twice.stderr());
            assertTrue(twice.stderr().startsWith("watchdog release finish: HTTP 409: "), twice.stderr());
        }
    }

    @Nested
    @DisplayName("exit 64: called wrong, with what is wrong on stderr and nothing sent")
    class UsageErrors {

        @Test
        @DisplayName("a mistyped duration, an unknown option, a missing option, a bad --url, no subcommand")
        void usage() {
            Cli.Streams duration = release(Daemon.DEPLOYER, "wait", id, "--timeout", "45min");
            assertEquals(64, duration.code());
            assertEquals("", duration.stdout());
            assertEquals("watchdog release wait: Invalid value for option '--timeout': '45min' is not a duration; did you "
                    + "mean 45m? (Prometheus notation, e.g. 500ms, 30s, 45m, 1h30m, 2d)\n"
                    + "See 'watchdog release wait --help'.\n", duration.stderr());

            Cli.Streams unknown = release(Daemon.VIEWER, "list", "--stat", "watching");
            assertEquals(64, unknown.code());
            assertTrue(unknown.stderr().startsWith("watchdog release list: Unknown options: '--stat', 'watching'\n"),
                    unknown.stderr());
            assertTrue(unknown.stderr().contains("--state"), "suggests the option meant: " + unknown.stderr());

            Cli.Streams missing = release(Daemon.DEPLOYER, "start", "--service", "api", "--version", "1.5.0");
            assertEquals(64, missing.code());
            assertTrue(missing.stderr().contains("Missing required option: '--environment=<environment>'"),
                    missing.stderr());

            Cli.Streams url = Cli.streams("release", "list", "--url", "watchdog:8080");
            assertEquals(64, url.code());
            assertTrue(url.stderr().startsWith("watchdog release list: --url (or WATCHDOG_URL) must be the watchdog's "
                    + "http:// or https:// address"), url.stderr());

            assertEquals(64, Cli.streams("release").code());
            assertEquals(64, Cli.streams().code());
            assertEquals(64, release(Daemon.VIEWER, "list", "-o", "yaml").code());
            assertEquals(1, daemon.call("GET", "/api/v1/releases", Daemon.VIEWER, null).bodyAsJsonArray().size(),
                    "nothing was registered by the wrong calls");
        }

        @Test
        @DisplayName("release start --version takes the release's version: no clash with the help options")
        void startTakesVersion() {
            Cli.Streams start = release(Daemon.DEPLOYER, "start", "--service", "web", "--version", "2.0.0",
                    "--environment", "staging", "--quiet");
            assertEquals(0, start.code(), start.stderr());
            JsonObject web = daemon.release(start.stdout().trim());
            assertEquals("2.0.0", web.getString("version"));
        }
    }

    @Test
    @DisplayName("exit 70: a fault of its own (the agent's journal is not a database), one line on stderr, no stack trace")
    void internalError() throws Exception {
        Path agent = Files.writeString(dir.resolve("agent.yml"), """
                listen: 127.0.0.1:9999
                secret: not-used
                journal: journal.db
                actions:
                  - {name: a, match: {service: api}, steps: [{name: s, command: ["true"]}]}
                """);
        Files.writeString(dir.resolve("journal.db"), "this is no SQLite file ".repeat(100));
        Cli.Streams journal = Cli.streams("agent", "journal", "--config", agent.toString());
        assertEquals(70, journal.code(), journal.stderr());
        assertEquals("", journal.stdout());
        assertEquals(1, journal.stderr().lines().count(), journal.stderr());
        assertTrue(journal.stderr().startsWith("watchdog agent journal: internal error (SQLiteException: "), journal.stderr());
        assertFalse(Stream.of("\tat ", "Exception in thread").anyMatch(journal.stderr()::contains), journal.stderr());
    }
}
