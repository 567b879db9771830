package dev.watchdog.api;

import dev.watchdog.config.Role;
import dev.watchdog.config.WatchdogConfig.Token;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Supplier;

/** Bearer tokens with roles: 401 without a valid token, 403 with one whose role is too weak. */
final class Auth {

    static final String WHO = "who";

    private final Supplier<List<Token>> tokens;

    /** {@code tokens}: those in force, read at each request. */
    Auth(Supplier<List<Token>> tokens) {
        this.tokens = tokens;
    }

    Handler<RoutingContext> require(Role needed) {
        return ctx -> {
            String header = ctx.request().getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                ctx.fail(new ApiException(401, "a bearer token is required", null));
                return;
            }
            Token match = find(header.substring(7).trim());
            if (match == null) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                ctx.fail(new ApiException(401, "the bearer token is not valid", null));
            } else if (!match.role().includes(needed)) {
                ctx.fail(new ApiException(403, "role " + match.role().label() + " cannot do this; it needs "
                        + needed.label(), null));
            } else {
                ctx.put(WHO, match.name());
                ctx.next();
            }
        };
    }

    /** Compares against every token, each in constant time, so that timing says nothing of which matched. */
    private Token find(String given) {
        Token match = null;
        for (Token token : tokens.get()) {
            if (token.token().matches(given) && match == null) {
                match = token;
            }
        }
        return match;
    }
}
