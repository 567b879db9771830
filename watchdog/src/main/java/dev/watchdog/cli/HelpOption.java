package dev.watchdog.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} alone, for every subcommand. picocli's standard mixin also adds {@code --version},
 * which {@code release start --version 1.4.0} needs for itself; the version is on {@code watchdog --version}.
 */
final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
