package dev.watchdog.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The on-call page at {@code /}: three files from the jar's {@code webroot/}, no build step. It talks
 * to the same API with the same tokens; its headers let it run no inline script, load nothing from
 * another origin, and never be framed.
 */
public final class Page {

    /** Scripts, styles, images and API calls from this origin only; no inline script, no plugins, no framing. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private Page() {}

    /** Serves the page under {@code /}; mount it after the API's routes, which take precedence. */
    public static void mount(Router router) {
        StaticHandler files = StaticHandler.create("webroot").setDefaultContentEncoding("UTF-8");
        router.route("/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(Page::headers).handler(files);
    }

    private static void headers(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> secure(ctx.response()));
        ctx.next();
    }

    /**
     * Set as the headers leave, so that they win over the static handler's own. {@code no-cache}: the
     * browser revalidates every load (a 304 when unchanged), so a page never outlives an upgrade.
     */
    private static void secure(HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-cache");
    }
}
