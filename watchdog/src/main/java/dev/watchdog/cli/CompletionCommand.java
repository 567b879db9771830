package dev.watchdog.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code watchdog completion}: a completion script for bash and zsh, generated from the command tree itself. */
@Command(name = "completion",
        description = {"Print a completion script for bash and zsh: commands, options and their values.",
            "bash: source <(watchdog completion)  (or save it in /etc/bash_completion.d/watchdog)",
            "zsh:  source <(watchdog completion)  (it loads bashcompinit itself)"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:printed", "64:usage error"})
final class CompletionCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        System.out.print(AutoComplete.bash("watchdog", spec.root().commandLine()));
        System.out.flush();
    }
}
