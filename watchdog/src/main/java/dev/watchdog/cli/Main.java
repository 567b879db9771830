package dev.watchdog.cli;

import dev.watchdog.core.Version;
import java.time.Duration;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/** {@code watchdog}: the daemon, its checks, and a client of its API for deploy scripts. */
@Command(name = "watchdog", mixinStandardHelpOptions = true, versionProvider = Main.JarVersion.class,
        description = "Watches a service after each deploy and rolls it back on a P0 breach.",
        exitCodeListHeading = "%nExit codes (each command's help lists its own):%n",
        exitCodeList = {"0:done", "1:the command's answer is no (rolled back, problems found)",
            "2:release wait: no verdict yet", "3:the watchdog's API could not be reached, or refused",
            "64:usage error", "70:internal error"},
        subcommands = {RunCommand.class, CheckCommand.class, ReleaseCommand.class, ReportCommand.class, ReplayCommand.class,
            RuleTestCommand.class, DemoServiceCommand.class, AgentCommand.class, CompletionCommand.class})
public final class Main implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    /** A URL in an exception's message may carry a token: it is never printed. */
    private static final Pattern URL = Pattern.compile("\\b[a-zA-Z][a-zA-Z0-9+.-]*://\\S+");

    @Spec
    CommandSpec spec;

    /** {@code watchdog} alone: a usage error that lists the commands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a command: "
                + String.join(", ", spec.commandLine().getSubcommands().values().stream()
                        .filter(c -> !c.getCommandSpec().usageMessage().hidden()).map(CommandLine::getCommandName).toList()));
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (see {@link ExitCode}). */
    public static int execute(String... args) {
        String problem = LogFormat.fromEnvironment();
        if (problem != null) {
            System.err.println("watchdog: " + problem);
            return ExitCode.USAGE;
        }
        return commandLine().execute(args);
    }

    /** The whole command tree, with the converters and the handlers that give every command the same exit codes. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(Duration.class, new DurationConverter());
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler(Main::internalError);
        cli.setExecutionStrategy(Main::knownCommandsOnly);
        return cli;
    }

    /**
     * picocli prints the help and exits 0 for {@code watchdog nosuch --help}, the unknown word left
     * unmatched: a script that mistyped a command must not read that as success.
     */
    private static int knownCommandsOnly(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                throw new UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
        cmd.getErr().println("See '" + name + " --help'.");
        cmd.getErr().flush();
        return ExitCode.USAGE;
    }

    private static int internalError(Exception e, CommandLine cmd, ParseResult parsed) {
        LOG.debug("internal error", e);
        String message = e.getMessage() == null ? "" : ": " + URL.matcher(e.getMessage()).replaceAll("<url>");
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": internal error (" + e.getClass().getSimpleName()
                + message.lines().findFirst().orElse("") + "); WATCHDOG_LOG_LEVEL=DEBUG prints where");
        cmd.getErr().flush();
        return ExitCode.INTERNAL;
    }

    /** {@code watchdog --version}: the jar's version. */
    static final class JarVersion implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"watchdog " + Version.current()};
        }
    }
}
