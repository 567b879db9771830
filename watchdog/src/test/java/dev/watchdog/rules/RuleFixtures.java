package dev.watchdog.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds rules from YAML text, the way users write them. */
public final class RuleFixtures {

    private RuleFixtures() {}

    /** One rule from the body of a rule entry (indented YAML without the leading dash). */
    public static Rule rule(String body) {
        return ruleSet("      - " + body.strip().replace("\n", "\n        ")).rules().get(0);
    }

    /** A rule set from the text of a whole rule file. */
    public static RuleSet ruleSet(String rulesYaml) {
        try {
            Path file = Files.createTempFile("rules", ".yml");
            String text = rulesYaml.startsWith("groups:") ? rulesYaml
                    : "groups:\n  - name: test\n    rules:\n" + rulesYaml + "\n";
            Files.writeString(file, text);
            return RuleLoader.load(List.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
