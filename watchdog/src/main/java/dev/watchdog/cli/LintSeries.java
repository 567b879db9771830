package dev.watchdog.cli;

import dev.watchdog.core.Json;
import dev.watchdog.rules.Place;
import dev.watchdog.rules.Rule;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Asks a Prometheus, through its series API, whether each selector of the rules matches any series
 * in the last hour: one that matches none is a misspelt metric or label, and its rule would read
 * no data for ever.
 */
final class LintSeries {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private LintSeries() {}

    static List<Lint.Warning> unmatched(String prometheus, List<Rule> rules) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        Map<String, Boolean> known = new HashMap<>();
        List<Lint.Warning> out = new ArrayList<>();
        for (Rule rule : rules) {
            Place at = rule.place();
            for (String selector : Lint.selectors(rule)) {
                Boolean matches = known.computeIfAbsent(selector, s -> matches(http, prometheus, s));
                if (matches == null) {
                    out.add(new Lint.Warning(at.file(), at.line(), rule.name(), "could not ask " + prometheus
                            + " about " + selector));
                } else if (!matches) {
                    out.add(new Lint.Warning(at.file(), at.line(), rule.name(), selector + " matches no series in "
                            + prometheus + " in the last hour: a misspelt metric or label? The rule would read no data"));
                }
            }
        }
        return out;
    }

    /** Whether the selector matches a series; null when Prometheus could not be asked. */
    private static @Nullable Boolean matches(HttpClient http, String prometheus, String selector) {
        Instant now = Instant.now();
        String url = prometheus.replaceAll("/$", "") + "/api/v1/series?match[]="
                + URLEncoder.encode(selector, StandardCharsets.UTF_8) + "&start=" + now.minus(Duration.ofHours(1)).getEpochSecond()
                + "&end=" + now.getEpochSecond();
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                return null;
            }
            return Json.MAPPER.readTree(answer.body()).path("data").size() > 0;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
