package dev.watchdog.cli;

import dev.watchdog.config.Receiver;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.config.WatchdogConfig.Token;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code watchdog check} refuses beyond what loading refuses: a config that would run, but
 * badly. A bearer token short enough to guess; a receiver URL without a scheme (a Slack URL with no
 * https:// would be accepted, then never delivered: every message pending for ever). No secret is
 * ever quoted.
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
        for (Map.Entry<String, Receiver> receiver : new java.util.TreeMap<>(config.receivers()).entrySet()) {
            if (receiver.getValue().channel() instanceof Receiver.Slack slack && !absolute(slack.url().value())) {
                problems.add("receivers." + receiver.getKey() + ".slack.url: not an absolute http(s) URL"
                        + " (Slack's incoming webhooks start https://hooks.slack.com/)");
            }
        }
        return problems;
    }

    private static boolean absolute(String url) {
        try {
            URI uri = new URI(url);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
