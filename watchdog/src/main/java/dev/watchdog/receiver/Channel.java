package dev.watchdog.receiver;

import dev.watchdog.core.Secret;
import dev.watchdog.http.Http;
import dev.watchdog.incident.Incident;
import dev.watchdog.incident.Notice;
import dev.watchdog.incident.Notification;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A kind of receiver: where messages go and how. Each kind is one record: it parses and checks its
 * own config (its compact constructor), masks its own secrets (they are {@code Secret}s), says which
 * notices it takes, builds the requests a notification takes, and reads its own answers. Sending,
 * retries, pacing and the outbox are the same for every kind. Adding a kind is one new file here, a
 * line in {@code config.Receiver}'s creator, and its section in docs/operations.md.
 */
public sealed interface Channel permits Slack, Telegram, Alertmanager, Webhook, Grafana, GitHub, PagerDuty,
        GitHubDeployments, CDEvents {

    /** The deadline of one attempt, unless the kind has its own. */
    Duration TIMEOUT = Duration.ofSeconds(10);

    /** The kind's name, as the config writes it. */
    String kind();

    /** The secrets of its config: a peer's answer that echoes one has it masked before anyone reads it. */
    List<Secret> secrets();

    /**
     * Whether it takes a notice of this kind ({@code cause}: the incident's, as the notice leaves it,
     * null for none).
     */
    boolean takes(Notice.Kind kind, Incident.@Nullable Cause cause);

    /**
     * The requests a notification takes: usually one; one per member of a cluster, any of which
     * taking it is enough. {@code report}: the release's incident report, for a kind that files it
     * ({@link #filesReport()}), else null.
     */
    List<Http.Request> requests(Notification n, @Nullable String report);

    /**
     * Whether every request of a notification must be taken for it to count as delivered (a kind that
     * sends several events); by default one is enough, as for the members of a cluster.
     */
    default boolean needsEvery() {
        return false;
    }

    /** What an answer means: by default by its status and {@code Retry-After}. */
    default Reading read(Http.Response response, Clock clock) {
        return Reading.of(response, clock);
    }

    /** Whether {@link #requests} needs the incident report. */
    default boolean filesReport() {
        return false;
    }

    /**
     * For a kind that takes no idempotency key: whether the notification was delivered before (after
     * a lost answer, or a restart), asked before every attempt. Fails when that cannot be told: then
     * nothing is sent, rather than maybe twice.
     */
    default Future<Boolean> deliveredBefore(Notification n, Http http) {
        return Future.succeededFuture(false);
    }

    /** How often a firing alert is posted again, for a kind whose alerts resolve by themselves; null for none. */
    default @Nullable Duration resend() {
        return null;
    }

    /** The secret the requests are signed with (Standard Webhooks), or null. */
    default @Nullable Secret signing() {
        return null;
    }

    /** The deadline of one attempt. */
    default Duration timeout() {
        return TIMEOUT;
    }
}
