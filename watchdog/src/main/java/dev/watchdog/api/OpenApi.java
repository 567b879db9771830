package dev.watchdog.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The API described in OpenAPI 3, served at {@code /api/v1/openapi.yaml} without a token: it holds no secret. */
public final class OpenApi {

    public static final String PATH = "/api/v1/openapi.yaml";
    static final String RESOURCE = "openapi.yaml";

    private OpenApi() {}

    /** Read once from the jar, before serving, so that no request reads a file on the event loop. */
    public static void mount(Router router) {
        Buffer yaml = Buffer.buffer(read());
        router.get(PATH).handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8")
                .end(yaml));
    }

    static byte[] read() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
