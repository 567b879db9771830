package dev.watchdog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchdog.core.Json;
import dev.watchdog.http.Failures;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** The watchdog's API as the CLI uses it; options shared by every {@code release} command. */
final class ApiClient {

    /** The API answered with an error ({@code status}), or could not be reached (status 0). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        private final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }

        /** No answer, or a proxy or an unready replica saying so (502, 503, 504): worth trying again. */
        boolean temporary() {
            return status == 0 || status == 502 || status == 503 || status == 504;
        }
    }

    @Option(names = "--url", defaultValue = "${env:WATCHDOG_URL:-http://127.0.0.1:8080}",
            description = "The watchdog's address (env WATCHDOG_URL; default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:WATCHDOG_TOKEN}",
            description = "Bearer token (env WATCHDOG_TOKEN): a viewer's reads, a deployer's starts and ends "
                    + "releases, on-call's decides.")
    @Nullable String token;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    JsonNode get(String path, Duration timeout) throws Failure {
        return send(request(path, timeout).GET());
    }

    JsonNode post(String path, @Nullable Object body) throws Failure {
        return send(request(path, Duration.ofSeconds(30)).POST(bodyOf(body)).header("Content-Type", "application/json"));
    }

    JsonNode delete(String path, @Nullable Object body) throws Failure {
        return send(request(path, Duration.ofSeconds(30)).method("DELETE", bodyOf(body))
                .header("Content-Type", "application/json"));
    }

    /** A usage error, before anything is sent, if {@code --url} is not an http(s) address. */
    void requireUrl(CommandLine command) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                return;
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw new CommandLine.ParameterException(command,
                "--url (or WATCHDOG_URL) must be the watchdog's http:// or https:// address, e.g. http://watchdog:8080");
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url.replaceAll("/$", "") + path)).timeout(timeout);
        if (token != null && !token.isBlank()) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private static HttpRequest.BodyPublisher bodyOf(@Nullable Object body) {
        return body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.write(body));
    }

    /** A text answer as it is (the incident report's Markdown); errors as for JSON answers. */
    String text(String path, Duration timeout) throws Failure {
        HttpResponse<String> response = exchange(request(path, timeout).GET());
        if (response.statusCode() / 100 != 2) {
            throw failure(response, json(response));
        }
        return response.body();
    }

    private JsonNode send(HttpRequest.Builder request) throws Failure {
        HttpResponse<String> response = exchange(request);
        JsonNode body = json(response);
        if (response.statusCode() / 100 != 2) {
            throw failure(response, body);
        }
        return body;
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) throws Failure {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String why = Failures.describe(e);
            throw new Failure(0, "cannot reach the watchdog at " + url + ": "
                    + (why.startsWith("request failed") ? "the connection was lost before an answer" : why));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, "interrupted");
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws Failure {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new Failure(response.statusCode(), "HTTP " + response.statusCode() + ": not a JSON answer");
        }
    }

    private static Failure failure(HttpResponse<String> response, JsonNode body) {
        String field = body.path("field").isMissingNode() || body.path("field").isNull() ? ""
                : " (field " + body.path("field").asText() + ")";
        return new Failure(response.statusCode(), "HTTP " + response.statusCode() + ": " + body.path("error").asText() + field);
    }
}
