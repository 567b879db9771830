package dev.watchdog.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The built jar running {@code watchdog agent} on a config the test wrote; can be killed hard and started again. */
public final class RealAgent {

    private final Path config;
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();
    private RealProcess process;

    private RealAgent(Path config, Map<String, String> env, int port) {
        this.config = config;
        this.env = env;
        this.port = port;
        this.log = config.resolveSibling("agent.log");
    }

    /** Starts the agent on {@code config}, which listens on {@code port}; returns once it answers. */
    public static RealAgent start(Path config, Map<String, String> env, int port) {
        return new RealAgent(config, env, port).run();
    }

    private RealAgent run() {
        process = RealProcess.watchdog(List.of("agent", "--config", config.toString()), env, log);
        Poll.until(Duration.ofSeconds(30), "the agent to answer", () -> {
            if (!process.alive()) {
                throw new AssertionError("the agent exited: " + process.log());
            }
            return healthy();
        });
        return this;
    }

    /** SIGKILL, then a new process on the same config and journal. */
    public RealAgent kill9AndRestart() {
        process.kill9();
        return run();
    }

    public void stop() {
        process.stop();
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/rollback";
    }

    /** Everything the agent has logged, across restarts. */
    public String log() {
        return process.log();
    }

    /** Runs another {@code watchdog agent ...} command on the same config; returns its exit code and output. */
    public RealProcess tool(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("agent"));
        command.addAll(List.of(args));
        command.addAll(List.of("--config", config.toString()));
        return RealProcess.watchdog(command, env, config.resolveSibling("tool-" + System.nanoTime() + ".log"));
    }

    private boolean healthy() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                    .timeout(Duration.ofSeconds(2)).build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
