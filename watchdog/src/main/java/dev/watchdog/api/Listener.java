package dev.watchdog.api;

import dev.watchdog.config.Limits;
import dev.watchdog.config.Tls;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the API and the agent listen: over TLS when configured, and with {@link Limits} so that no
 * client can hold the server. A connection that has not brought a request's headers within the
 * header timeout of opening, its body within as long again, or its next request within the idle
 * timeout of the last answer, is closed; past the most connections, a new one is closed at once. A
 * request being answered is never cut: a verdict awaited for minutes is no idle connection.
 */
public final class Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
    private static final long WARN_EVERY = TimeUnit.MINUTES.toNanos(1);

    private final Vertx vertx;
    private final Limits limits;
    private final String name;
    private final Map<HttpConnection, Held> open = new ConcurrentHashMap<>();
    private final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY);
    private @Nullable HttpServer server;
    private long sweeper = -1;

    /** What one connection is doing: since when, and its latest request (null before the first). */
    private static final class Held {
        final long openedAt = System.nanoTime();
        volatile @Nullable HttpServerRequest request;
        volatile long requestAt;
        volatile long answeredSeenAt = -1;
    }

    private Listener(Vertx vertx, Limits limits, String name) {
        this.vertx = vertx;
        this.limits = limits;
        this.name = name;
    }

    /**
     * Listens on {@code host:port}; {@code name} is where the limits are in the config, for the log
     * ({@code server.limits}); a relative certificate path is taken from {@code dir}.
     */
    public static Future<Listener> start(Vertx vertx, String name, String host, int port, Limits limits,
                                         @Nullable Tls tls, Path dir, Handler<HttpServerRequest> handler) {
        Listener listener = new Listener(vertx, limits, name);
        HttpServer server = vertx.createHttpServer(options(limits, tls, dir))
                .connectionHandler(listener::connected)
                .requestHandler(request -> listener.requested(request, handler));
        return server.listen(port, host).map(s -> {
            listener.server = s;
            long every = Math.max(100, Math.min(1000, limits.headerTimeout().toMillis() / 4));
            listener.sweeper = vertx.setPeriodic(every, t -> listener.sweep());
            return listener;
        });
    }

    static HttpServerOptions options(Limits limits, @Nullable Tls tls, Path dir) {
        // No h2c: its detector would wait for a client's first bytes before the connection is seen at all.
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
                .setSslHandshakeTimeout(limits.headerTimeout().toMillis()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        if (tls == null) {
            return options;
        }
        options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve(tls.certFile()).toString())
                .setKeyPath(dir.resolve(tls.keyFile()).toString()));
        if (tls.clientCaFile() != null) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve(tls.clientCaFile()).toString()))
                    .setClientAuth(Tls.REQUIRE_AND_VERIFY.equals(tls.clientAuthType()) ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
        }
        return options;
    }

    public int port() {
        return server == null ? 0 : server.actualPort();
    }

    /** Takes no new connection; those in flight are answered for up to {@code grace}. */
    public Future<Void> shutdown(Duration grace) {
        vertx.cancelTimer(sweeper);
        return server == null ? Future.succeededFuture() : server.shutdown(grace);
    }

    private void connected(HttpConnection connection) {
        if (open.size() >= limits.maxConnections()) {
            connection.close();
            long now = System.nanoTime();
            long last = lastWarned.get();
            if (now - last >= WARN_EVERY && lastWarned.compareAndSet(last, now)) {
                LOG.warn("connection closed at once: {} connections are open, the most {}.maxConnections allows"
                        + " remote={}", open.size(), name, connection.remoteAddress());
            }
            return;
        }
        open.put(connection, new Held());
        connection.closeHandler(v -> open.remove(connection));
    }

    private static void noteRequest(@Nullable Held held, HttpServerRequest request) {
        if (held != null) {
            held.request = request;
            held.requestAt = System.nanoTime();
            held.answeredSeenAt = -1;
        }
    }

    private void requested(HttpServerRequest request, Handler<HttpServerRequest> handler) {
        noteRequest(open.get(request.connection()), request);
        handler.handle(request);
    }

    /** Closes each connection that has held the server too long without a request being answered. */
    private void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, held) -> {
            if (overdue(held, now)) {
                open.remove(connection);
                connection.close();
            }
        });
    }

    private boolean overdue(Held held, long now) {
        HttpServerRequest request = held.request;
        long header = limits.headerTimeout().toNanos();
        if (request == null) {
            return now - held.openedAt > header;
        }
        if (!request.isEnded()) {
            return now - held.requestAt > header;
        }
        if (!request.response().ended()) {
            return false;
        }
        if (held.answeredSeenAt < 0) {
            held.answeredSeenAt = now;
        }
        return now - held.answeredSeenAt > limits.idleTimeout().toNanos();
    }
}
