package dev.watchdog.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.watchdog.core.Checks;
import dev.watchdog.core.Secret;
import dev.watchdog.incident.DeployNoise;
import dev.watchdog.incident.Policy;
import dev.watchdog.receiver.Alertmanager;
import dev.watchdog.receiver.Retry;
import dev.watchdog.receiver.Webhook;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The daemon's config ({@code watchdog.yml}), immutable, with defaults and validation in each record.
 * Optional: people (who may decide from Slack, Telegram or PagerDuty: {@link Person}). A record that the
 * code also makes with nulls for its defaults spells out its canonical constructor: there its parameters
 * may be null (an omitted key), its components never.
 */
public record WatchdogConfig(
        Prometheus prometheus,
        Evaluation evaluation,
        List<String> rules,
        Storage storage,
        Server server,
        Map<String, Receiver> receivers,
        Map<String, Policy> escalation,
        Map<String, Rollback> rollback,
        Logging logging,
        Metrics metrics,
        Map<String, Person> people) {

    public WatchdogConfig {
        Objects.requireNonNull(prometheus, "prometheus is required");
        evaluation = evaluation == null ? new Evaluation(null, null, null) : evaluation;
        rules = rules == null ? List.of("rules/*.yml") : List.copyOf(rules);
        storage = storage == null ? new Storage(null, null) : storage;
        server = server == null ? new Server(null, null, null, null, null) : server;
        receivers = receivers == null ? Map.of() : Map.copyOf(receivers);
        escalation = escalation == null || escalation.isEmpty() ? Map.of("default", Policy.SILENT) : Map.copyOf(escalation);
        rollback = rollback == null ? Map.of() : Map.copyOf(rollback);
        logging = logging == null ? new Logging(null) : logging;
        metrics = metrics == null ? new Metrics(null) : metrics;
        people = people == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(people));
        People.check(people);
        for (Map.Entry<String, Policy> policy : escalation.entrySet()) {
            for (String name : policy.getValue().receiverNames()) {
                if (!receivers.containsKey(name)) {
                    throw new IllegalArgumentException("escalation." + policy.getKey() + " notifies '" + name
                            + "', which is not among the receivers");
                }
            }
            DeployNoise noise = policy.getValue().deployNoise();
            Receiver silencer = noise == null ? null : receivers.get(noise.alertmanager());
            if (noise != null && (silencer == null || !(silencer.channel() instanceof Alertmanager))) {
                throw new IllegalArgumentException("escalation." + policy.getKey() + ".deployNoise.alertmanager '"
                        + noise.alertmanager() + "' is not a receiver of the alertmanager kind");
            }
        }
    }

    /** How the log is written to stderr. Optional: format, text or json (default text; WATCHDOG_LOG_FORMAT wins). */
    public record Logging(String format) {
        public Logging(@Nullable String format) {
            format = format == null ? "text" : format;
            if (!format.equals("text") && !format.equals("json")) {
                throw new IllegalArgumentException("logging.format must be text or json");
            }
            this.format = format;
        }
    }

    /**
     * Where Prometheus is. Optional: timeout (default 10s: the deadline for a whole answer, headers
     * and body, also asked of Prometheus), headers, maxConcurrency (default 8), maxAnswerBytes
     * (default 16 MiB: a larger answer is an error, never read whole).
     */
    public record Prometheus(String url, Duration timeout, Map<String, Secret> headers, Integer maxConcurrency,
                             Integer maxAnswerBytes) {
        public Prometheus(@Nullable String url, @Nullable Duration timeout, @Nullable Map<String, Secret> headers,
                          @Nullable Integer maxConcurrency, @Nullable Integer maxAnswerBytes) {
            this.url = Checks.url(url, "url");
            this.timeout = timeout == null ? Duration.ofSeconds(10) : Checks.positive(timeout, "timeout");
            this.headers = headers == null ? Map.of() : Map.copyOf(headers);
            this.maxConcurrency = maxConcurrency == null ? 8 : Checks.atLeastOne(maxConcurrency, "maxConcurrency");
            this.maxAnswerBytes = maxAnswerBytes == null ? 16 << 20 : Checks.atLeastOne(maxAnswerBytes, "maxAnswerBytes");
        }

        public Prometheus(String url, @Nullable Duration timeout, @Nullable Map<String, Secret> headers,
                          @Nullable Integer maxConcurrency) {
            this(url, timeout, headers, maxConcurrency, null);
        }
    }

    /**
     * The daemon's own metrics. Optional: ruleSeries (default all): which rules of a release have
     * their per-release series (value, baseline, outcome, thresholds): all, or notOk, only those
     * whose outcome is not ok or waiting, for a fleet of thousands of releases, where all would be
     * hundreds of thousands of series in every scrape.
     */
    public record Metrics(RuleSeries ruleSeries) {
        public Metrics(@Nullable RuleSeries ruleSeries) {
            this.ruleSeries = ruleSeries == null ? RuleSeries.ALL : ruleSeries;
        }
    }

    /** Which rules of a release have series. */
    public enum RuleSeries {
        ALL("all"), NOT_OK("notOk");

        private final String label;

        RuleSeries(String label) {
            this.label = label;
        }

        @JsonCreator
        public static RuleSeries of(String text) {
            return Arrays.stream(values()).filter(v -> v.label.equals(text)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown ruleSeries '" + text + "' (expected all or notOk)"));
        }

        @JsonValue
        public String label() {
            return label;
        }
    }

    /**
     * How often rules are judged. Optional: interval (default 15s), defaultWindow (24h), blindAfter
     * (5m: how long a rule's queries may keep failing before level 1 hears that the watchdog cannot see).
     */
    public record Evaluation(Duration interval, Duration defaultWindow, Duration blindAfter) {
        public Evaluation(@Nullable Duration interval, @Nullable Duration defaultWindow, @Nullable Duration blindAfter) {
            this.interval = interval == null ? Duration.ofSeconds(15) : Checks.positive(interval, "interval");
            this.defaultWindow = defaultWindow == null ? Duration.ofHours(24) : Checks.positive(defaultWindow, "defaultWindow");
            this.blindAfter = blindAfter == null ? Duration.ofMinutes(5) : Checks.positive(blindAfter, "blindAfter");
        }
    }

    /**
     * Where the watchdog keeps its state: the embedded SQLite file under {@code path} (default data/),
     * or, for several replicas, a shared PostgreSQL ({@code postgres}).
     */
    public record Storage(String path, @Nullable Postgres postgres) {
        public Storage(@Nullable String path, @Nullable Postgres postgres) {
            this.path = path == null || path.isBlank() ? "data/" : path;
            this.postgres = postgres;
        }
    }

    /**
     * A PostgreSQL shared by the replicas. Optional: user, password, shards (1: how many groups the
     * releases are hashed into, each led by one replica), pool (8: connections per replica), lease
     * (how long a leader may go silent before another replica takes its shards over; default the
     * evaluation interval, at least 2s).
     */
    public record Postgres(String url, @Nullable String user, @Nullable Secret password, Integer shards, Integer pool,
                           @Nullable Duration lease) {
        public Postgres {
            if (url == null || !url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("storage.postgres.url must be a jdbc:postgresql:// URL");
            }
            shards = shards == null ? 1 : Checks.atLeastOne(shards, "shards");
            pool = pool == null ? 8 : Checks.atLeastOne(pool, "pool");
            if (lease != null) {
                Checks.positive(lease, "lease");
            }
        }
    }

    /**
     * The HTTP listener and its bearer tokens. Optional: listen (default 0.0.0.0:8080), maxBodyBytes
     * (64 KiB), externalUrl (how people reach the API, shown in messages; default from listen),
     * replica (this replica's name among several; default the host name and port), limits (what one
     * client may hold: {@link Limits}), tls (HTTPS, in Prometheus's web config shape: {@link Tls}),
     * proxy (people signed in by an authenticating proxy: {@link ProxyAuth}).
     */
    public record Server(String listen, List<Token> tokens, Integer maxBodyBytes, String externalUrl,
                         @Nullable String replica, Limits limits, @JsonProperty("tls_server_config") @Nullable Tls tls,
                         @Nullable ProxyAuth proxy) {
        public Server(@Nullable String listen, @Nullable List<Token> tokens, @Nullable Integer maxBodyBytes,
                      @Nullable String externalUrl, @Nullable String replica, @Nullable Limits limits,
                      @JsonProperty("tls_server_config") @Nullable Tls tls, @Nullable ProxyAuth proxy) {
            listen = listen == null ? "0.0.0.0:8080" : listen;
            int port = hostAndPort(listen);
            externalUrl = externalUrl != null ? Checks.url(externalUrl, "externalUrl")
                    : (tls == null ? "http://" : "https://")
                    + (listen.startsWith("0.0.0.0:") ? "localhost" : listen.substring(0, listen.lastIndexOf(':'))) + ":" + port;
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
            maxBodyBytes = maxBodyBytes == null ? 65_536 : Checks.atLeastOne(maxBodyBytes, "maxBodyBytes");
            limits = limits == null ? Limits.DEFAULT : limits;
            long names = tokens.stream().map(Token::name).distinct().count();
            if (names != tokens.size()) {
                throw new IllegalArgumentException("token names must be unique");
            }
            if (replica != null && !replica.matches("[A-Za-z0-9_.:-]{1,40}")) {
                throw new IllegalArgumentException("replica must match [A-Za-z0-9_.:-]{1,40}");
            }
            this.listen = listen;
            this.tokens = tokens;
            this.maxBodyBytes = maxBodyBytes;
            this.externalUrl = externalUrl;
            this.replica = replica;
            this.limits = limits;
            this.tls = tls;
            this.proxy = proxy;
        }

        public Server(@Nullable String listen, @Nullable List<Token> tokens, @Nullable Integer maxBodyBytes,
                      @Nullable String externalUrl, @Nullable String replica) {
            this(listen, tokens, maxBodyBytes, externalUrl, replica, null, null, null);
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

    /**
     * A bearer token: its name is recorded on every decision taken with it. Optional: scope (a
     * deployer or on-call token limited to some services and environments; default all).
     */
    public record Token(String name, Role role, Secret token, @Nullable Scope scope) {
        /** Shorter than this, a token can be guessed: {@code watchdog check} refuses it. */
        public static final int MIN_LENGTH = 16;

        public Token {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("token name must match [A-Za-z0-9_.-]+");
            }
            Objects.requireNonNull(role, "role is required");
            Objects.requireNonNull(token, "token is required");
            if (scope != null && role != Role.DEPLOYER && role != Role.ONCALL) {
                throw new IllegalArgumentException("token " + name + ": scope is for deployer and oncall tokens, not "
                        + role.label());
            }
        }

        public Token(String name, Role role, Secret token) {
            this(name, role, token, null);
        }
    }

    /**
     * A named rollback target. Optional: verify (default 10m: how long after the rollback the rules
     * that breached are judged, to see that it restored health; 0 turns it off). The webhook's retry
     * budget defaults to {@code for: 10m} with no limit on attempts: a rollback is worth retrying
     * for as long as the budget lasts.
     */
    public record Rollback(Webhook webhook, Duration verify) {

        public static final Duration DEFAULT_VERIFY = Duration.ofMinutes(10);
        static final Duration DEFAULT_BUDGET = Duration.ofMinutes(10);

        public Rollback {
            Objects.requireNonNull(webhook, "webhook is required");
            verify = verify == null ? DEFAULT_VERIFY : verify;
            if (verify.isNegative()) {
                throw new IllegalArgumentException("verify must not be negative");
            }
            Retry r = webhook.retry();
            if (r.budget() == null) {
                webhook = new Webhook(webhook.url(), webhook.secret(), webhook.timeout(),
                        new Retry(r.attempts(), r.initial(), r.max(), DEFAULT_BUDGET));
            }
        }
    }
}
