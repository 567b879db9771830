package dev.watchdog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Cli;
import dev.watchdog.testing.RealProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code watchdog completion}, sourced by a real bash and asked what a TAB would offer. */
class CompletionTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("sourced in bash, TAB offers the commands, release's subcommands, their options and -o's values")
    void bashCompletes() throws Exception {
        String bash = RealProcess.binary("bash", "bash");
        Cli.Streams script = Cli.streams("completion");
        assertEquals(0, script.code(), script.stderr());
        Path file = Files.writeString(dir.resolve("watchdog-completion.bash"), script.stdout());
        assertEquals("release report replay", complete(bash, file, "watchdog re"));
        assertEquals("start", complete(bash, file, "watchdog release sta"));
        assertEquals("text json", complete(bash, file, "watchdog release list -o "));
        assertTrue(complete(bash, file, "watchdog release wait --").contains("--timeout"));
    }

    /** What bash's completion function offers for a command line typed up to its end. */
    private static String complete(String bash, Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        String call = "source " + script + " 2>/dev/null; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; "
                + "COMP_WORDS=(" + words + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); "
                + "_complete_watchdog 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        RealProcess shell = RealProcess.start(List.of(bash, "-c", call), Map.of(), script.resolveSibling("bash.log"));
        assertEquals(0, shell.exitCode(30), shell.log());
        String out = shell.log().trim();
        Files.delete(script.resolveSibling("bash.log"));
        return out;
    }
}
