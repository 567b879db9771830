package dev.watchdog.cli;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.config.WatchdogConfig.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code watchdog check} refuses beyond what loading refuses: a config that would run, but
 * badly: a bearer token short enough to guess. (A receiver URL without a scheme is refused by its
 * kind when the config is loaded.) No secret is ever quoted.
 */
final class ConfigPolicy {

    private ConfigPolicy() {}

    /** Each problem as {@code key: what is wrong}, in the config's order. */
    static List<String> problems(WatchdogConfig config) {
        List<String> problems = new ArrayList<>();
        List<Token> tokens = config.server().tokens();
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).token().value().length() < Token.MIN_LENGTH) {
                problems.add("server.tokens[" + i + "] (" + tokens.get(i).name() + "): the token is shorter than "
                        + Token.MIN_LENGTH + " characters; make one with: openssl rand -hex 32");
            }
        }
        return problems;
    }
}
