package dev.watchdog.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The daemon's config ({@code watchdog.yml}), immutable, with defaults and validation in each record. */
public record WatchdogConfig(
        Prometheus prometheus,
        Evaluation evaluation,
        List<String> rules,
        Storage storage,
        Server server,
        Map<String, Rollback> rollback) {

    public WatchdogConfig {
        Objects.requireNonNull(prometheus, "prometheus is required");
        evaluation = evaluation == null ? new Evaluation(null, null) : evaluation;
        rules = rules == null ? List.of("rules/*.yml") : List.copyOf(rules);
        storage = storage == null ? new Storage(null) : storage;
        server = server == null ? new Server(null, null, null) : server;
        rollback = rollback == null ? Map.of() : Map.copyOf(rollback);
    }

    /** Where Prometheus is. Optional: timeout (default 10s), headers, maxConcurrency (default 8). */
    public record Prometheus(String url, Duration timeout, Map<String, Secret> headers, Integer maxConcurrency) {
        public Prometheus {
            url = requireUrl(url);
            timeout = timeout == null ? Duration.ofSeconds(10) : positive(timeout, "timeout");
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            maxConcurrency = maxConcurrency == null ? 8 : atLeastOne(maxConcurrency, "maxConcurrency");
        }
    }

    /** How often rules are judged. Optional: interval (default 15s). */
    public record Evaluation(Duration interval, Duration defaultWindow) {
        public Evaluation {
            interval = interval == null ? Duration.ofSeconds(15) : positive(interval, "interval");
            defaultWindow = defaultWindow == null ? Duration.ofHours(24) : positive(defaultWindow, "defaultWindow");
        }
    }

    /** Where the embedded store keeps its file. Optional: path (default data/). */
    public record Storage(String path) {
        public Storage {
            path = path == null || path.isBlank() ? "data/" : path;
        }
    }

    /** The HTTP listener and its bearer tokens. Optional: listen (default 0.0.0.0:8080), maxBodyBytes (64 KiB). */
    public record Server(String listen, List<Token> tokens, Integer maxBodyBytes) {
        public Server {
            listen = listen == null ? "0.0.0.0:8080" : listen;
            hostAndPort(listen);
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
            maxBodyBytes = maxBodyBytes == null ? 65_536 : atLeastOne(maxBodyBytes, "maxBodyBytes");
            long names = tokens.stream().map(Token::name).distinct().count();
            if (names != tokens.size()) {
                throw new IllegalArgumentException("token names must be unique");
            }
        }

        public String host() {
            return listen.substring(0, listen.lastIndexOf(':'));
        }

        public int port() {
            return hostAndPort(listen);
        }

        private static int hostAndPort(String listen) {
            int colon = listen.lastIndexOf(':');
            try {
                int port = Integer.parseInt(listen.substring(colon + 1));
                if (colon > 0 && port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("listen '" + listen + "' is not HOST:PORT");
        }
    }

    /** A bearer token: its name is recorded on every decision taken with it. */
    public record Token(String name, Role role, Secret token) {
        public Token {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("token name must match [A-Za-z0-9_.-]+");
            }
            Objects.requireNonNull(role, "role is required");
            Objects.requireNonNull(token, "token is required");
        }
    }

    /** A named rollback target. */
    public record Rollback(Webhook webhook) {
        public Rollback {
            Objects.requireNonNull(webhook, "webhook is required");
        }
    }

    /** An outbound webhook. Optional: secret (signs with Standard Webhooks), timeout (10s), retry. */
    public record Webhook(String url, Secret secret, Duration timeout, Retry retry) {
        public Webhook {
            url = requireUrl(url);
            timeout = timeout == null ? Duration.ofSeconds(10) : positive(timeout, "timeout");
            retry = retry == null ? new Retry(null, null, null) : retry;
        }
    }

    /** Capped exponential backoff with jitter. Optional: attempts (8), initial (1s), max (1m). */
    public record Retry(Integer attempts, Duration initial, Duration max) {
        public Retry {
            attempts = attempts == null ? 8 : atLeastOne(attempts, "attempts");
            initial = initial == null ? Duration.ofSeconds(1) : positive(initial, "initial");
            max = max == null ? Duration.ofMinutes(1) : positive(max, "max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("retry.max must not be below retry.initial");
            }
        }
    }

    private static String requireUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("url is required");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            // The URL itself is not repeated: it may carry a token.
            throw new IllegalArgumentException("url is not a valid URL", e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("url must be an absolute http(s) URL");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static Duration positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    private static int atLeastOne(int n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
        return n;
    }
}
