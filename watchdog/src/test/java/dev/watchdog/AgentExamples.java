package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.RealAgent;
import dev.watchdog.testing.RealProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The documented {@code docs/examples/agent.yml}, run as it stands but for its paths, under a
 * test directory: stand-ins for nginx, kubectl, alembic and gh record every call (with the
 * Idempotency-Key the agent passes them); alembic keeps a schema revision; nginx's upstreams are
 * real files and a real symlink, switched by the documented {@code switch-upstream.sh}.
 */
final class AgentExamples {

    static final Path EXAMPLE = Path.of("..", "docs", "examples", "agent.yml");
    static final Path SWITCH = Path.of("..", "docs", "examples", "switch-upstream.sh");
    static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString("agent-it-secret".getBytes());
    static final String GITHUB_TOKEN = "ghp_agentItGithubToken";
    static final String GH_TOKEN = "gho_agentItGhToken";

    final Path dir;
    final Path calls;
    final Path upstreams;
    final Path revision;
    final int port = RealProcess.freePort();

    AgentExamples(Path dir) {
        this.dir = dir.toAbsolutePath();
        this.calls = this.dir.resolve("calls.log");
        this.upstreams = this.dir.resolve("upstreams");
        this.revision = this.dir.resolve("srv-api/revision");
    }

    /** Writes the stand-ins, the upstreams (green live, running 1.4.0; blue runs 1.3.2) and the config; starts the agent. */
    RealAgent start(String githubUrl) {
        try {
            Files.createDirectories(dir.resolve("bin"));
            Files.createDirectories(upstreams);
            Files.createDirectories(revision.getParent());
            Files.writeString(revision, "41\n");
            String record = "echo \"$(basename \"$0\") $* key=${WATCHDOG_IDEMPOTENCY_KEY:-} pwd=$PWD\" >> " + calls + "\n";
            stub("nginx", record);
            stub("kubectl", record);
            stub("alembic", record + """
                    if [ "$1 $2" = "downgrade -1" ]; then
                      while [ -e %s ]; do sleep 0.1; done
                      echo $(( $(cat %s) - 1 )) > %s
                    fi
                    """.formatted(dir.resolve("alembic.hang"), revision, revision));
            stub("gh", record + "echo \"gh-env GH_TOKEN=${GH_TOKEN:+set} GITHUB_TOKEN=${GITHUB_TOKEN:+leaked}"
                    + " ROLLBACK_SECRET=${ROLLBACK_SECRET:+leaked}\" >> " + calls + "\n");
            Files.writeString(upstreams.resolve("web-blue.conf"), "# version 1.3.2\nupstream web { server 10.0.0.1:8080; }\n");
            Files.writeString(upstreams.resolve("web-green.conf"), "# version 1.4.0\nupstream web { server 10.0.0.2:8080; }\n");
            Files.deleteIfExists(upstreams.resolve("web.conf"));
            Files.createSymbolicLink(upstreams.resolve("web.conf"), Path.of("web-green.conf"));
            Path config = Files.writeString(dir.resolve("agent.yml"), config(githubUrl));
            Map<String, String> env = Map.of("ROLLBACK_SECRET", SECRET, "GITHUB_TOKEN", GITHUB_TOKEN, "GH_TOKEN", GH_TOKEN,
                    "PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
            return RealAgent.start(config, env, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example with only its paths and addresses moved into the test directory. */
    private String config(String githubUrl) throws IOException {
        String text = Files.readString(EXAMPLE);
        Map<String, String> moved = Map.of(
                "0.0.0.0:9095", "127.0.0.1:" + port,
                "/var/lib/watchdog-agent/journal.db", dir.resolve("journal.db").toString(),
                "/usr/local/lib/watchdog-agent/switch-upstream.sh", SWITCH.toAbsolutePath().normalize().toString(),
                "/etc/nginx/upstreams", upstreams.toString(),
                "/srv/api", revision.getParent().toString(),
                "https://api.github.com", githubUrl);
        for (Map.Entry<String, String> m : moved.entrySet()) {
            assertTrue(text.contains(m.getKey()), "the example no longer says " + m.getKey() + "; update this test with it");
            text = text.replace(m.getKey(), m.getValue());
        }
        return text;
    }

    private void stub(String name, String body) throws IOException {
        Path file = Files.writeString(dir.resolve("bin").resolve(name), "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Every recorded call, in order. */
    List<String> calls() {
        try {
            return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded calls made under one key, without the key and working directory. */
    List<String> calls(String key) {
        return calls().stream().filter(l -> l.contains(" key=" + key + " "))
                .map(l -> l.substring(0, l.indexOf(" key="))).toList();
    }

    int revision() {
        try {
            return Integer.parseInt(Files.readString(revision).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String liveUpstream() {
        try {
            return Files.readSymbolicLink(upstreams.resolve("web.conf")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
