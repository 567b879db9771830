package dev.watchdog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Cli;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --help} on every command of the tree, as a user types it: it works, and it describes every option. */
class HelpTest {

    /** Every command's words from the top, e.g. {@code [release, start]}; the top itself is {@code []}. */
    static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        walk(Main.commandLine(), new ArrayList<>(), all);
        return all;
    }

    private static void walk(CommandLine command, List<String> path, List<List<String>> all) {
        all.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(name);
            walk(sub, deeper, all);
        });
    }

    @TestFactory
    @DisplayName("--help and -h exit 0 and print the usage on stdout, with every option and parameter described")
    Stream<DynamicTest> everyCommand() {
        return commands().stream().map(path -> DynamicTest.dynamicTest("watchdog " + String.join(" ", path) + " --help",
                () -> {
                    for (String flag : List.of("--help", "-h")) {
                        List<String> args = new ArrayList<>(path);
                        args.add(flag);
                        Cli.Streams help = Cli.streams(args.toArray(String[]::new));
                        assertEquals(0, help.code(), help.stderr());
                        assertTrue(help.stdout().startsWith("Usage: watchdog" + (path.isEmpty() ? "" : " ")
                                + String.join(" ", path)), help.stdout());
                        assertEquals("", help.stderr());
                    }
                    CommandSpec spec = spec(path);
                    List<ArgSpec> args = new ArrayList<>(spec.options());
                    args.addAll(spec.positionalParameters());
                    for (ArgSpec arg : args) {
                        String said = String.join(" ", arg.description()).trim();
                        assertFalse(said.isEmpty(), "watchdog " + String.join(" ", path) + ": " + arg + " has no description");
                    }
                    assertFalse(spec.usageMessage().exitCodeList().isEmpty(),
                            "watchdog " + String.join(" ", path) + " lists its exit codes");
                }));
    }

    private static CommandSpec spec(List<String> path) {
        CommandLine command = Main.commandLine();
        for (String name : path) {
            command = command.getSubcommands().get(name);
        }
        return command.getCommandSpec();
    }

    @Test
    @DisplayName("release start --help: the release's --version is an option of its own, described")
    void startHelp() {
        Cli.Streams help = Cli.streams("release", "start", "--help");
        assertEquals(0, help.code(), help.stderr());
        assertTrue(help.stdout().contains("--version=<version>   The version now serving, e.g. 1.4.0."), help.stdout());
        assertTrue(help.stdout().contains("Exit codes:\n  0    registered\n"), help.stdout());
    }

    @Test
    @DisplayName("watchdog --version prints the version; release wait --help lists 0, 1, 2, 3, 64 and 70")
    void versionAndWaitCodes() {
        Cli.Streams version = Cli.streams("--version");
        assertEquals(0, version.code());
        assertTrue(version.stdout().startsWith("watchdog "), version.stdout());
        String wait = Cli.streams("release", "wait", "--help").stdout();
        for (String code : List.of("0    healthy", "1    rolled back", "2    no verdict", "3    the watchdog could not",
                "64   usage error", "70   internal error")) {
            assertTrue(wait.contains("\n  " + code), code + " in: " + wait);
        }
    }

    @Test
    @DisplayName("an unknown command is a usage error, 64, even with --help: a mistyped command never reads as success")
    void unknownCommandWithHelp() {
        for (String[] args : List.of(new String[] {"nosuch", "--help"}, new String[] {"nosuch"},
                new String[] {"release", "nosuch", "--help"}, new String[] {"agent", "nosuch", "-h"})) {
            Cli.Streams run = Cli.streams(args);
            assertEquals(64, run.code(), String.join(" ", args) + ": " + run.stderr());
            assertTrue(run.stderr().contains("'nosuch'"), run.stderr());
            assertEquals("", run.stdout(), "no usage on stdout, where a script would read it as an answer");
        }
    }
}
