package dev.watchdog.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.core.Secret;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReadingTest {

    @Test
    @DisplayName("a peer that echoes the request in its answer: the token, the whole URL or its path are masked, the rest kept")
    void echoedSecretsMasked() {
        Reading telegram = new Reading(404, false, Optional.empty(), "HTTP 404: no route for /bot123456:tgtoken-AAE4x/sendMessage");
        assertEquals("HTTP 404: no route for /bot<secret>/sendMessage",
                telegram.masking(List.of(new Secret("123456:tgtoken-AAE4x"))).error());
        Secret slack = new Secret("https://hooks.slack.com/services/T000/B000/slackpath-9a8b7c");
        assertEquals("HTTP 403: invalid_token for <secret>", new Reading(403, false, Optional.empty(),
                "HTTP 403: invalid_token for " + slack.value()).masking(List.of(slack)).error());
        assertEquals("HTTP 404: /<secret>/T000/B000/<secret>", new Reading(404, false, Optional.empty(),
                "HTTP 404: /services/T000/B000/slackpath-9a8b7c").masking(List.of(slack)).error());
        assertEquals("HTTP 500: busy", new Reading(500, true, Optional.empty(), "HTTP 500: busy")
                .masking(List.of(slack)).error());
    }
}
