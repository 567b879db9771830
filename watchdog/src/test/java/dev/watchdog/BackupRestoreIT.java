package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The backup and restore of docs/operations.md, as written there: sqlite3's online backup, restored on a new host. */
class BackupRestoreIT {

    static final Path DIR = Path.of("target", "it", "backup-restore").toAbsolutePath();
    static final String RULES = """
            groups:
              - name: g
                rules:
                  - {name: error-rate, signal: errors, expr: 'error_ratio{service="{{service}}"}', p0: "> 0.05"}
            """;

    @Test
    @DisplayName("a backup taken while the daemon runs, restored into an empty store, holds the releases and their timelines")
    void backupAndRestore() {
        String sqlite3 = RealProcess.binary("sqlite3", "sqlite3");
        RealStack.deleteRecursively(DIR);
        String nowhere = "http://127.0.0.1:" + RealProcess.freePort();
        RealDaemon first = RealDaemon.start(DIR.resolve("first"), nowhere, nowhere + "/rollback", null, "1s", RULES);
        String id;
        JsonArray events;
        Path backup = DIR.resolve("watchdog-backup.db");
        try {
            id = first.register(new JsonObject().put("service", "api").put("version", "1.4.0").put("environment", "production"));
            events = new JsonArray(first.get("/api/v1/releases/" + id + "/events"));
            run(List.of(sqlite3, DIR.resolve("first/data/watchdog.db").toString(), ".backup " + backup), "backup");
            assertEquals("ok", run(List.of(sqlite3, backup.toString(), "PRAGMA integrity_check"), "check").trim());
        } finally {
            first.stop();
        }
        try {
            Files.createDirectories(DIR.resolve("second/data"));
            Files.copy(backup, DIR.resolve("second/data/watchdog.db"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        RealDaemon second = RealDaemon.start(DIR.resolve("second"), nowhere, nowhere + "/rollback", null, "1s", RULES);
        try {
            JsonObject release = second.release(id);
            assertEquals("1.4.0", release.getString("version"));
            assertEquals("watching", release.getString("state"));
            JsonArray restored = new JsonArray(second.get("/api/v1/releases/" + id + "/events"));
            assertEquals(events.getList(), restored.getList().subList(0, events.size()), "the timeline up to the backup");
        } finally {
            second.stop();
        }
    }

    private static String run(List<String> command, String name) {
        RealProcess p = RealProcess.start(command, Map.of(), DIR.resolve(name + ".log"));
        assertEquals(0, p.exitCode(30), p.log());
        return p.log();
    }
}
