package dev.watchdog.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code watchdog}: the daemon, its checks, and a client of its API for deploy scripts. */
@Command(name = "watchdog", mixinStandardHelpOptions = true, version = "watchdog 0.1.0",
        description = "Watches a service after each deploy and rolls it back on a P0 breach.",
        subcommands = {RunCommand.class, CheckCommand.class, ReleaseCommand.class, ReplayCommand.class,
            RuleTestCommand.class, DemoServiceCommand.class, AgentCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int execute(String... args) {
        return new CommandLine(new Main()).execute(args);
    }
}
