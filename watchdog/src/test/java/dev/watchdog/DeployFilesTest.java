package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.testing.ExampleEnv;
import dev.watchdog.testing.RealProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ships for running the watchdog for real: the systemd unit (checked by systemd itself) and the
 * Kubernetes manifests (their config loaded as the daemon loads it, with exactly the variables the
 * pod gives it; probes, volumes and replica names where the daemon expects them).
 */
class DeployFilesTest {

    static final Path DEPLOY = Path.of("deploy");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Nested
    @DisplayName("systemd")
    class Systemd {

        @TempDir
        Path dir;

        @Test
        @DisplayName("systemd-analyze verify finds nothing wrong with the unit, run on the launcher as shipped")
        void verifies() throws Exception {
            String analyze = RealProcess.binary("systemd-analyze", "systemd");
            String unit = Files.readString(DEPLOY.resolve("systemd/watchdog.service"))
                    .replace("/opt/watchdog/bin/watchdog", Path.of("bin/watchdog").toAbsolutePath().toString());
            Path copy = Files.writeString(dir.resolve("watchdog.service"), unit);
            RealProcess verify = RealProcess.start(List.of(analyze, "verify", copy.toString()), Map.of(),
                    dir.resolve("verify.log"));
            assertEquals(0, verify.exitCode(60), verify.log());
            assertEquals("", verify.log().trim());
        }

        @Test
        @DisplayName("a dedicated user, 143 counted as success, the store in StateDirectory where the shipped config puts it")
        void essentials() throws Exception {
            List<String> lines = Files.readAllLines(DEPLOY.resolve("systemd/watchdog.service"));
            for (String line : List.of("User=watchdog", "SuccessExitStatus=143", "StateDirectory=watchdog", "Restart=on-failure",
                    "ExecStart=/opt/watchdog/bin/watchdog run --config /etc/watchdog/watchdog.yml")) {
                assertTrue(lines.contains(line), line);
            }
            WatchdogConfig shipped = new ConfigLoader(ExampleEnv::value).load(Path.of("config/watchdog.yml"));
            assertEquals("/var/lib/watchdog/", shipped.storage().path(), "StateDirectory=watchdog is /var/lib/watchdog");
        }
    }

    @Nested
    @DisplayName("Kubernetes")
    class Kubernetes {

        @Test
        @DisplayName("the embedded store: one replica of a StatefulSet, the store on its volume")
        void embedded() throws Exception {
            Manifest m = Manifest.read("watchdog-embedded.yaml");
            assertEquals(1, m.statefulSet.path("spec").path("replicas").asInt());
            WatchdogConfig config = m.config();
            assertEquals(null, config.storage().postgres());
            JsonNode claim = m.statefulSet.path("spec").path("volumeClaimTemplates").get(0);
            assertEquals(config.storage().path(), m.mountPath(claim.path("metadata").path("name").asText()) + "/");
            m.probesAndMounts(config);
        }

        @Test
        @DisplayName("three replicas on PostgreSQL: each named after its pod, the password from the Secret")
        void replicas() throws Exception {
            Manifest m = Manifest.read("watchdog-postgres.yaml");
            assertEquals(3, m.statefulSet.path("spec").path("replicas").asInt());
            WatchdogConfig config = m.config();
            assertNotNull(config.storage().postgres());
            assertEquals("set-by-POD_NAME", config.server().replica());
            JsonNode podName = StreamSupport.stream(m.container.path("env").spliterator(), false)
                    .filter(e -> e.path("name").asText().equals("POD_NAME")).findFirst().orElseThrow();
            assertEquals("metadata.name", podName.path("valueFrom").path("fieldRef").path("fieldPath").asText());
            m.probesAndMounts(config);
        }
    }

    /** One manifest file: its StatefulSet's container, its ConfigMap's watchdog.yml, and the Secret's keys. */
    record Manifest(List<JsonNode> docs, JsonNode statefulSet, JsonNode container, String configText, Set<String> secretKeys) {

        static Manifest read(String file) throws Exception {
            List<JsonNode> docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(DEPLOY.resolve("kubernetes/" + file)
                    .toFile()).readAll();
            JsonNode set = kind(docs, "StatefulSet");
            JsonNode container = set.path("spec").path("template").path("spec").path("containers").get(0);
            String config = kind(docs, "ConfigMap").path("data").path("watchdog.yml").asText();
            JsonNode secret = YAML.readTree(DEPLOY.resolve("kubernetes/secret.example.yaml").toFile());
            Set<String> keys = new HashSet<>();
            secret.path("stringData").fieldNames().forEachRemaining(keys::add);
            return new Manifest(docs, set, container, config, keys);
        }

        static JsonNode kind(List<JsonNode> docs, String kind) {
            return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst().orElseThrow();
        }

        /** The config as the daemon loads it, with only the variables the pod has: a missing one fails the load. */
        WatchdogConfig config() {
            Set<String> given = new HashSet<>(secretKeys);
            container.path("env").forEach(e -> given.add(e.path("name").asText()));
            assertEquals("watchdog-secrets", container.path("envFrom").get(0).path("secretRef").path("name").asText());
            return new ConfigLoader(name -> given.contains(name) ? ExampleEnv.value(name) : null).parse(configText, "watchdog.yml");
        }

        String mountPath(String volume) {
            return StreamSupport.stream(container.path("volumeMounts").spliterator(), false)
                    .filter(v -> v.path("name").asText().equals(volume)).findFirst().orElseThrow().path("mountPath").asText();
        }

        /** Readiness on /readyz and liveness on /healthz at the port the config listens on; --config and rules mounted. */
        void probesAndMounts(WatchdogConfig config) {
            assertEquals("/readyz", container.path("readinessProbe").path("httpGet").path("path").asText());
            assertEquals("/healthz", container.path("livenessProbe").path("httpGet").path("path").asText());
            assertEquals(config.server().port(), container.path("ports").get(0).path("containerPort").asInt());
            List<String> args = new ArrayList<>();
            container.path("args").forEach(a -> args.add(a.asText()));
            Path configFile = Path.of(args.get(args.indexOf("--config") + 1));
            assertEquals(mountPath("config"), configFile.getParent().toString());
            assertEquals("watchdog.yml", configFile.getFileName().toString());
            for (String glob : config.rules()) {
                assertTrue(configFile.getParent().resolve(glob).normalize().startsWith(mountPath("rules")), glob);
            }
            assertEquals("/tmp", mountPath("tmp"), "a writable /tmp under a read-only root");
        }
    }
}
