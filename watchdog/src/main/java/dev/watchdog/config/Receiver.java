package dev.watchdog.config;

import dev.watchdog.config.WatchdogConfig.Retry;
import dev.watchdog.config.WatchdogConfig.Webhook;
import dev.watchdog.core.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Where messages go: exactly one of slack, telegram, alertmanager, webhook, grafana, github.
 * Optional: minInterval (default 1s: the least time between two messages to this receiver), retry.
 */
public record Receiver(Slack slack, Telegram telegram, Alertmanager alertmanager, Webhook webhook, Grafana grafana,
                       GitHub github, Duration minInterval, Retry retry) {
    public Receiver {
        long kinds = Stream.of(slack, telegram, alertmanager, webhook, grafana, github).filter(Objects::nonNull).count();
        if (kinds != 1) {
            throw new IllegalArgumentException(
                    "a receiver needs exactly one of slack, telegram, alertmanager, webhook, grafana, github");
        }
        minInterval = minInterval == null ? Duration.ofSeconds(1) : minInterval;
        retry = retry == null ? new Retry(5, null, Duration.ofSeconds(30)) : retry;
    }

    /** The one kind this receiver is. */
    public Channel channel() {
        return Stream.of(slack, telegram, alertmanager, webhook, grafana, github).filter(Objects::nonNull).findFirst()
                .orElseThrow();
    }

    /** The kinds of receiver. */
    public sealed interface Channel permits Slack, Telegram, Alertmanager, Webhook, Grafana, GitHub {}

    /** A Slack incoming webhook; its URL is a secret. */
    public record Slack(Secret url) implements Channel {
        public Slack {
            Objects.requireNonNull(url, "slack.url is required");
        }
    }

    /** A Telegram bot's sendMessage. Optional: apiUrl (default https://api.telegram.org). */
    public record Telegram(Secret token, String chatId, String apiUrl) implements Channel {
        public Telegram {
            Objects.requireNonNull(token, "telegram.token is required");
            Objects.requireNonNull(chatId, "telegram.chatId is required");
            apiUrl = WatchdogConfig.requireUrl(apiUrl == null ? "https://api.telegram.org" : apiUrl);
        }
    }

    /**
     * One Alertmanager ({@code url}) or a cluster ({@code urls}: every alert is posted to each, as
     * Prometheus does; a success at any one counts). Optional: headers (e.g. Authorization, each a
     * secret), resend (default 1m, below Alertmanager's 5m resolve_timeout).
     */
    public record Alertmanager(String url, List<String> urls, Map<String, Secret> headers, Duration resend)
            implements Channel {
        public Alertmanager {
            List<String> all = new java.util.ArrayList<>();
            if (url != null) {
                all.add(url);
            }
            if (urls != null) {
                all.addAll(urls);
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("alertmanager needs url or urls");
            }
            urls = all.stream().map(WatchdogConfig::requireUrl).distinct().toList();
            url = urls.get(0);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            resend = resend == null ? Duration.ofMinutes(1) : WatchdogConfig.positive(resend, "resend");
        }

        public Alertmanager(String url, Duration resend) {
            this(url, null, null, resend);
        }
    }

    /** Grafana's HTTP API: release annotations, with a service account token. */
    public record Grafana(String url, Secret token) implements Channel {
        public Grafana {
            url = WatchdogConfig.requireUrl(url);
            Objects.requireNonNull(token, "grafana.token is required");
        }
    }

    /**
     * GitHub's REST API: the incident report filed as an issue of {@code repo} ({@code owner/name}) when an
     * incident ends with a rollback. Optional: apiUrl (default https://api.github.com; GitHub Enterprise
     * Server: https://HOST/api/v3), labels (default none).
     */
    public record GitHub(String repo, Secret token, String apiUrl, List<String> labels) implements Channel {
        public GitHub {
            if (repo == null || !repo.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("github.repo must be OWNER/NAME");
            }
            Objects.requireNonNull(token, "github.token is required");
            apiUrl = WatchdogConfig.requireUrl(apiUrl == null ? "https://api.github.com" : apiUrl);
            labels = labels == null ? List.of() : List.copyOf(labels);
        }
    }
}
