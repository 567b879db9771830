package dev.watchdog.http;

import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * A failed request in our own words. Libraries put the request's URL or host in their messages
 * (a timeout names the path, with a Telegram bot token or a Slack webhook's secret in it), and those
 * messages end up in logs, events and API answers; so none of their text is ever passed on.
 */
public final class Failures {

    private Failures() {}

    public static String describe(Throwable e) {
        Throwable cause = e;
        for (int depth = 0; depth < 5 && cause != null; depth++, cause = cause.getCause()) {
            String known = known(cause);
            if (known != null) {
                return known;
            }
        }
        return "request failed (" + e.getClass().getSimpleName() + ")";
    }

    private static @Nullable String known(Throwable e) {
        if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
            return "no answer in time";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof UnknownHostException) {
            return "host not found";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof SSLException || e instanceof NotSslRecordException) {
            return "TLS handshake failed";
        }
        if (e instanceof HttpClosedException) {
            return "connection closed before an answer";
        }
        return null;
    }
}
