package dev.watchdog.config;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.watchdog.core.Checks;
import dev.watchdog.receiver.Alertmanager;
import dev.watchdog.receiver.CDEvents;
import dev.watchdog.receiver.GitHubDeployments;
import dev.watchdog.receiver.PagerDuty;
import dev.watchdog.receiver.Channel;
import dev.watchdog.receiver.GitHub;
import dev.watchdog.receiver.Grafana;
import dev.watchdog.receiver.Retry;
import dev.watchdog.receiver.Slack;
import dev.watchdog.receiver.Telegram;
import dev.watchdog.receiver.Webhook;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Where messages go: a {@link Channel} of exactly one kind, written as its key ({@code slack:},
 * {@code telegram:}, ...). Optional: minInterval (default 1s: the least time between two messages to
 * this receiver), retry (default 5 attempts, 1s to 30s apart), timeout (default the kind's: 10s, a
 * webhook's own).
 */
public record Receiver(@JsonIgnore Channel channel, Duration minInterval, Retry retry, Duration timeout) {

    /** Spelled out: an omitted setting arrives as null and takes its default. */
    public Receiver(Channel channel, @Nullable Duration minInterval, @Nullable Retry retry, @Nullable Duration timeout) {
        this.channel = Objects.requireNonNull(channel, "a receiver needs a kind");
        this.minInterval = minInterval == null ? Duration.ofSeconds(1) : minInterval;
        this.retry = retry == null ? Retry.receivers() : retry;
        this.timeout = timeout == null ? channel.timeout() : Checks.positive(timeout, "timeout");
    }

    public Receiver(Channel channel) {
        this(channel, null, null, null);
    }

    /** From the config: one key per kind; a new kind is one more parameter here. */
    @JsonCreator
    static Receiver of(@JsonProperty("slack") @Nullable Slack slack, @JsonProperty("telegram") @Nullable Telegram telegram,
                       @JsonProperty("alertmanager") @Nullable Alertmanager alertmanager,
                       @JsonProperty("webhook") @Nullable Webhook webhook, @JsonProperty("grafana") @Nullable Grafana grafana,
                       @JsonProperty("github") @Nullable GitHub github,
                       @JsonProperty("pagerduty") @Nullable PagerDuty pagerduty,
                       @JsonProperty("githubDeployments") @Nullable GitHubDeployments githubDeployments,
                       @JsonProperty("cdevents") @Nullable CDEvents cdevents,
                       @JsonProperty("minInterval") @Nullable Duration minInterval, @JsonProperty("retry") @Nullable Retry retry,
                       @JsonProperty("timeout") @Nullable Duration timeout) {
        List<Channel> kinds = Stream.of(slack, telegram, alertmanager, webhook, grafana, github, pagerduty,
                        githubDeployments, cdevents).filter(Objects::nonNull)
                .map(Channel.class::cast).toList();
        if (kinds.size() != 1) {
            throw new IllegalArgumentException(
                    "a receiver needs exactly one of slack, telegram, alertmanager, webhook, grafana, github, pagerduty,"
                            + " githubDeployments, cdevents");
        }
        return new Receiver(kinds.get(0), minInterval, retry, timeout);
    }

    /** Printed as written: the kind's key and its settings (secrets masked by the printer). */
    @JsonAnyGetter
    Map<String, Channel> written() {
        return Map.of(channel.kind(), channel);
    }
}
