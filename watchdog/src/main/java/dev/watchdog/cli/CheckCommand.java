package dev.watchdog.cli;

import dev.watchdog.config.ConfigException;
import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.rules.Problem;
import dev.watchdog.rules.Promtool;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleException;
import dev.watchdog.rules.RuleFiles;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleQueries;
import dev.watchdog.rules.RuleSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watchdog check}: validates config and rule files as {@code promtool check rules} does, and
 * has promtool parse every query the rules send. Without promtool the rest is still checked and one
 * line on stderr says PromQL was not parsed; the exit code is then 0 if nothing else is wrong, as
 * for any optional check.
 */
@Command(name = "check",
        description = {"Check a config and rule files; every problem with file, line and rule. Exit 1 on any.",
            "Every PromQL query (expr, guard, minTraffic, averaged baseline, SLO errors and total) is parsed by "
                    + "promtool when it is installed; without it a notice on stderr says so and the exit code ignores it.",
            "With --release, also the rules a release would get (a group's match) and the queries they would send for it."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no problem", "1:problems found (each on stdout as file:line), or promtool failed",
            "64:usage error: nothing to check, or --promtool is not a program", "70:internal error"})
final class CheckCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = {"-c", "--config"}, description = "Config file; its rule files are checked when no FILES are given.")
    @Nullable Path config;

    @Option(names = "--promtool", paramLabel = "PATH", description = "promtool to parse PromQL with (default: promtool on the PATH).")
    @Nullable Path promtool;

    @Option(names = "--release", paramLabel = "SPEC",
            description = "service=...[,environment=...][,version=...][,previousVersion=...][,LABEL=...]: list the rules "
                    + "that would apply to such a release and the queries they would send; exit 1 if it lacks a variable "
                    + "they use.")
    @Nullable String release;

    @Option(names = "--prometheus", paramLabel = "URL",
            description = "Also ask this Prometheus whether each rule's selectors match any series in the last hour "
                    + "(a misspelt metric or label reads as no data for ever): warnings.")
    @Nullable String prometheus;

    @Parameters(arity = "0..*", paramLabel = "FILES", description = "Rule files.")
    List<Path> files = new ArrayList<>();

    private Duration interval = Duration.ofSeconds(15);

    @Override
    public Integer call() {
        List<Path> ruleFiles = new ArrayList<>(files);
        if (config != null) {
            try {
                WatchdogConfig cfg = new ConfigLoader().load(config);
                interval = cfg.evaluation().interval();
                if (ruleFiles.isEmpty()) {
                    ruleFiles.addAll(RuleFiles.expand(ConfigLoader.directory(config), cfg.rules()));
                    if (ruleFiles.isEmpty()) {
                        System.out.println(config + ": rules " + cfg.rules() + " match no file beside the config;"
                                + " the documented install keeps the rule files in rules/ beside it");
                        return 1;
                    }
                }
                List<String> problems = ConfigPolicy.problems(cfg);
                if (!problems.isEmpty()) {
                    problems.forEach(p -> System.out.println(config + ": " + p));
                    return 1;
                }
                System.out.println(config + ": config OK");
            } catch (ConfigException e) {
                System.out.println(e.getMessage());
                return 1;
            }
        }
        if (ruleFiles.isEmpty() && config == null) {
            System.err.println("watchdog check: give rule files, --config, or both; see 'watchdog check --help'");
            return ExitCode.USAGE;
        }
        return check(ruleFiles);
    }

    private int check(List<Path> ruleFiles) {
        Optional<Promtool> parser;
        try {
            parser = promtool == null ? Promtool.onPath(System.getenv("PATH")) : Optional.of(Promtool.at(promtool));
        } catch (IllegalArgumentException e) {
            System.err.println("watchdog check: --promtool: " + e.getMessage());
            return ExitCode.USAGE;
        }
        List<Problem> problems = new ArrayList<>();
        List<Rule> rules;
        try {
            rules = RuleLoader.load(ruleFiles).rules();
        } catch (RuleException e) {
            problems.addAll(e.problems());
            rules = e.loaded();
        }
        String notParsed = parsePromql(parser, rules, problems);
        if (notParsed != null) {
            System.err.println("watchdog check: PromQL was not parsed: " + notParsed);
        }
        int code = report(ruleFiles, rules, problems, notParsed == null);
        List<Lint.Warning> warnings = new ArrayList<>(Lint.comparisons(rules));
        if (prometheus != null) {
            warnings.addAll(LintSeries.unmatched(prometheus, rules));
        }
        warnings.forEach(System.out::println);
        if (release != null && problems.isEmpty()) {
            code = listFor(rules, release);
        }
        return notParsed != null && parser.isPresent() ? 1 : code;
    }

    /** The rules and queries a release would get; 1 if it lacks a variable they use, 2 on a bad --release. */
    private int listFor(List<Rule> rules, String spec) {
        Release r;
        try {
            r = ReleaseRules.parse(spec);
        } catch (IllegalArgumentException e) {
            System.err.println("watchdog check: --release: " + e.getMessage());
            return 2;
        }
        System.out.println();
        return ReleaseRules.print(System.out, new RuleSet(rules), r, interval).isEmpty() ? 0 : 1;
    }

    /**
     * Adds promtool's parse errors to {@code problems}; returns why PromQL could not be parsed, or
     * null. A missing promtool is a notice; a promtool that fails is an error (exit 1).
     */
    private static @Nullable String parsePromql(Optional<Promtool> parser, List<Rule> rules, List<Problem> problems) {
        if (parser.isEmpty()) {
            return "promtool is not on the PATH; to parse it, " + Promtool.INSTALL;
        }
        try {
            problems.addAll(parser.get().check(RuleQueries.of(rules)));
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static int report(List<Path> ruleFiles, List<Rule> rules, List<Problem> problems, boolean parsed) {
        if (problems.isEmpty() && rules.isEmpty()) {
            System.out.println("0 rules in " + ruleFiles.size() + " file(s): there is nothing to judge a release by");
            return 1;
        }
        if (problems.isEmpty()) {
            System.out.println("OK: " + rules.size() + " rules in " + ruleFiles.size() + " files"
                    + (parsed ? "; PromQL parsed by promtool" : ""));
            return 0;
        }
        List<String> order = ruleFiles.stream().map(Path::toString).toList();
        problems.stream().sorted(Comparator.comparingInt((Problem p) -> order.indexOf(p.file())).thenComparingInt(Problem::line))
                .map(Problem::toString).forEach(System.out::println);
        System.out.println(problems.size() + " problem(s)");
        return 1;
    }
}
