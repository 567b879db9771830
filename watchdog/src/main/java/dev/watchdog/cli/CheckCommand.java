package dev.watchdog.cli;

import dev.watchdog.config.ConfigException;
import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.rules.Problem;
import dev.watchdog.rules.RuleException;
import dev.watchdog.rules.RuleFiles;
import dev.watchdog.rules.RuleLoader;
import dev.watchdog.rules.RuleSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code watchdog check}: validates config and rule files as {@code promtool check rules} does. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check a config and rule files; every problem with file, line and rule. Exit 1 on any.")
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, description = "Config file; its rule files are checked when no FILES are given.")
    Path config;

    @Parameters(arity = "0..*", paramLabel = "FILES", description = "Rule files.")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() {
        List<Path> ruleFiles = new ArrayList<>(files);
        if (config != null) {
            try {
                WatchdogConfig cfg = new ConfigLoader().load(config);
                if (ruleFiles.isEmpty()) {
                    ruleFiles.addAll(RuleFiles.expand(config.toAbsolutePath().getParent(), cfg.rules()));
                }
                System.out.println(config + ": config OK");
            } catch (ConfigException e) {
                System.out.println(e.getMessage());
                return 1;
            }
        }
        if (ruleFiles.isEmpty() && config == null) {
            System.err.println("watchdog check: give rule files, --config, or both");
            return 2;
        }
        try {
            RuleSet rules = RuleLoader.load(ruleFiles);
            System.out.println("OK: " + rules.rules().size() + " rules in " + ruleFiles.size() + " files");
            return 0;
        } catch (RuleException e) {
            e.problems().stream().map(Problem::toString).forEach(System.out::println);
            System.out.println(e.problems().size() + " problem(s)");
            return 1;
        }
    }
}
