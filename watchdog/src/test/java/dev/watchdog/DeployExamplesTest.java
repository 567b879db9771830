package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The CI examples hold no logic of their own: each calls {@code deploy.sh} (tested against the
 * real daemon in {@code DeployScriptIT}) with the release's fields, after the deploy, and gives it
 * every variable it requires.
 */
class DeployExamplesTest {

    static final Path EXAMPLES = Path.of("..", "docs", "examples");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Pattern CALL = Pattern.compile("^sh ci/deploy\\.sh (\\S+) (\\S+) (\\S+) (.+)$");
    static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)");

    /** What deploy.sh requires: its {@code : "${NAME:?...}"} lines. */
    static Set<String> required() throws IOException {
        Matcher m = Pattern.compile("\\$\\{([A-Z_]+):\\?").matcher(Files.readString(EXAMPLES.resolve("deploy.sh")));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertEquals(Set.of("WATCHDOG_TOKEN", "WATCHDOG_URL"), names);
        return names;
    }

    static Set<String> variables(String text) {
        Matcher m = VARIABLE.matcher(text);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static Set<String> keys(JsonNode... maps) {
        Set<String> names = new TreeSet<>();
        for (JsonNode map : maps) {
            map.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    @Test
    @DisplayName("GitHub Actions: after the deploy, one step runs deploy.sh with the release's fields and every variable it needs")
    void githubActions() throws IOException {
        JsonNode job = YAML.readTree(EXAMPLES.resolve("github-actions.yml").toFile()).path("jobs").path("deploy");
        List<JsonNode> steps = StreamSupport.stream(job.path("steps").spliterator(), false).toList();
        List<String> runs = steps.stream().map(s -> s.path("run").asText()).toList();
        List<String> calls = runs.stream().filter(r -> r.contains("deploy.sh")).toList();
        assertEquals(1, calls.size(), runs.toString());
        int watch = runs.indexOf(calls.get(0));
        assertTrue(watch > runs.indexOf("./deploy/rollout.sh \"$SERVICE\" \"$VERSION\" production"), "watched after the deploy");

        Matcher call = CALL.matcher(calls.get(0));
        assertTrue(call.matches(), calls.get(0));
        Set<String> env = keys(job.path("env"), steps.get(watch).path("env"));
        assertTrue(env.containsAll(required()), env.toString());
        assertTrue(env.containsAll(variables(calls.get(0))), "every $VARIABLE of the call is set: " + env);
        assertTrue(env.contains("WATCHDOG_JAR"), "the runner has no watchdog command: the jar is named");
        assertTrue(steps.get(watch).path("timeout-minutes").asInt() * 60 > 45 * 60, "the step outlives the wait");
    }

    @Test
    @DisplayName("GitLab CI: a job after the deploy job runs deploy.sh; what it needs is set or named as a CI/CD variable")
    void gitlabCi() throws IOException {
        String text = Files.readString(EXAMPLES.resolve("gitlab-ci.yml"));
        JsonNode pipeline = YAML.readTree(text);
        JsonNode job = pipeline.path("watch-release");
        assertEquals("deploy-production", job.path("needs").path(0).asText());
        List<String> script = new ArrayList<>();
        job.path("script").forEach(line -> script.add(line.asText()));
        List<String> calls = script.stream().filter(l -> l.contains("deploy.sh")).toList();
        assertEquals(1, calls.size(), script.toString());
        assertTrue(CALL.matcher(calls.get(0)).matches(), calls.get(0));

        String settings = text.substring(0, text.indexOf("stages:"));
        Set<String> given = keys(pipeline.path("variables"), job.path("variables"));
        given.add("CI_COMMIT_TAG");   // GitLab's own
        for (String name : variables(String.join("\n", script))) {
            assertTrue(given.contains(name) || settings.contains(name), name + " is neither set nor named as a CI/CD variable");
        }
        for (String name : required()) {
            assertTrue(given.contains(name) || settings.contains(name), name + " is neither set nor named as a CI/CD variable");
        }
        assertTrue(given.contains("WATCHDOG_JAR"), given.toString());
    }
}
