package dev.watchdog.api;

import dev.watchdog.config.ProxyAuth;
import dev.watchdog.config.Role;
import dev.watchdog.config.Scope;
import dev.watchdog.config.WatchdogConfig.Server;
import dev.watchdog.config.WatchdogConfig.Token;
import dev.watchdog.release.FieldText;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is asking: a person signed in by a trusted proxy ({@link ProxyAuth}), or a bearer token with a
 * role. 401 without either, 403 with a role too weak, 429 for an address that sent too many tokens
 * that were refused ({@link Throttle}).
 */
final class Auth {

    private static final Logger LOG = LoggerFactory.getLogger(Auth.class);
    static final String WHO = "who";

    private final Supplier<Server> server;
    private final Throttle throttle;

    /** Who is asking, as recorded on a decision, with what role, limited to what scope (null: all). */
    record Principal(String name, Role role, @Nullable Scope scope) {}

    /** {@code server}: the tokens and proxy in force, read at each request (a reload may change them). */
    Auth(Supplier<Server> server, Clock clock) {
        this.server = server;
        this.throttle = new Throttle(clock);
    }

    Handler<RoutingContext> require(Role needed) {
        return require(needed, ctx -> null);
    }

    /**
     * As {@link #require(Role)}, for a caller that cannot send headers: without an Authorization
     * header, the token is read by {@code elsewhere} (Flagger's payload metadata), checked as a bearer
     * token is, refused tokens counted alike.
     */
    Handler<RoutingContext> require(Role needed, Function<RoutingContext, @Nullable String> elsewhere) {
        return ctx -> {
            Principal who = principal(ctx, elsewhere);
            if (!who.role().includes(needed)) {
                throw new ApiException(403, "role " + who.role().label() + " cannot do this; it needs " + needed.label(), null);
            }
            ctx.put(WHO, who);
            ctx.next();
        };
    }

    /** Who asked, once {@link #require} let the request through. */
    static Principal who(RoutingContext ctx) {
        return ctx.get(WHO);
    }

    private Principal principal(RoutingContext ctx, Function<RoutingContext, @Nullable String> elsewhere) {
        ProxyAuth proxy = server.get().proxy();
        InetAddress from = address(ctx.request().remoteAddress());
        ProxyAuth trusted = proxy != null && from != null && proxy.trusts(from) ? proxy : null;
        String user = trusted == null ? null : ctx.request().getHeader(trusted.userHeader());
        if (trusted != null && user != null && !user.isBlank()) {
            String groupsHeader = trusted.groupsHeader();
            String groups = groupsHeader == null ? null : ctx.request().getHeader(groupsHeader);
            return person(trusted, user.strip(), groups);
        }
        String header = ctx.request().getHeader("Authorization");
        String other = header == null ? elsewhere.apply(ctx) : null;
        return bearer(ctx, other == null ? header : "Bearer " + other, client(ctx, trusted != null));
    }

    private static Principal person(ProxyAuth proxy, String user, @Nullable String groupsHeader) {
        if (FieldText.problem(user, 256) != null) {
            throw new ApiException(401, "the proxy's user header does not hold a name", null);
        }
        List<String> groups = groupsHeader == null ? List.of()
                : Arrays.stream(groupsHeader.split(",")).map(String::strip).filter(g -> !g.isEmpty()).toList();
        Role role = proxy.role(user, groups).orElseThrow(() -> new ApiException(403, "signed in as " + user
                + ", who has no role here: proxy.users or proxy.groups must give one", null));
        return new Principal(user, role, null);
    }

    private Principal bearer(RoutingContext ctx, @Nullable String header, String client) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "a bearer token is required", null);
        }
        Duration refused = throttle.refusedFor(client);
        if (!refused.isZero()) {
            long seconds = Math.max(1, (refused.toMillis() + 999) / 1000);
            ctx.response().putHeader("Retry-After", String.valueOf(seconds));
            throw new ApiException(429, "too many refused tokens from this address: try again in " + seconds + "s", null);
        }
        Token match = find(header.substring(7).trim());
        if (match == null) {
            if (throttle.failed(client)) {
                LOG.warn("bearer tokens refused remote={} refused={} within={}: this address is refused for the rest of it",
                        client, Throttle.LIMIT, dev.watchdog.core.Durations.format(Throttle.WINDOW));
            }
            ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw new ApiException(401, "the bearer token is not valid", null);
        }
        return new Principal(match.name(), match.role(), match.scope());
    }

    /** Compares against every token, each in constant time, so that timing says nothing of which matched. */
    private @Nullable Token find(String given) {
        Token match = null;
        for (Token token : server.get().tokens()) {
            if (token.token().matches(given) && match == null) {
                match = token;
            }
        }
        return match;
    }

    /**
     * The address a refused token is counted against: the peer's; through a trusted proxy, the
     * address the proxy says it serves (the last of X-Forwarded-For), so that one client's guesses do
     * not lock out everyone behind the proxy.
     */
    private static String client(RoutingContext ctx, boolean viaProxy) {
        String forwarded = viaProxy ? ctx.request().getHeader("X-Forwarded-For") : null;
        if (forwarded != null && !forwarded.isBlank()) {
            String[] hops = forwarded.split(",");
            return hops[hops.length - 1].strip();
        }
        SocketAddress peer = ctx.request().remoteAddress();
        return peer == null ? "unknown" : String.valueOf(peer.hostAddress());
    }

    private static @Nullable InetAddress address(@Nullable SocketAddress peer) {
        try {
            // A literal address (no name is looked up): hostAddress is the peer's IP.
            return peer == null || peer.hostAddress() == null ? null : InetAddress.getByName(peer.hostAddress());
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
