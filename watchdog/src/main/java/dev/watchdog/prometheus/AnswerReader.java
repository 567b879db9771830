package dev.watchdog.prometheus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.watchdog.core.Json;
import dev.watchdog.http.Http;
import dev.watchdog.prometheus.QueryException.Kind;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a Prometheus API answer as it streams past, token by token: no tree of the whole answer is
 * built, and each series goes straight to a {@link Sink} that keeps only what its caller
 * needs (a list, an index by some labels, the steps of a range). A fleet's answer holds a series
 * per service, a megabyte for 10,000: a tree of it was a third of a tick.
 */
final class AnswerReader {

    private static final JsonFactory JSON = Json.MAPPER.getFactory();

    private AnswerReader() {}

    /** Where the series of an answer go, one at a time, in the answer's order. */
    interface Sink {
        /** One series: label names and values side by side ({@code size} of them), and its value (instant queries). */
        void sample(String[] names, String[] values, int size, double value);

        /** One series of a range: its labels, and its points' times (seconds) and values. */
        void points(String[] names, String[] values, int size, double[] times, double[] points, int count);

        /**
         * A label's value, from the parser's characters (valid only during the call): a string of them,
         * unless the sink knows better.
         */
        default String value(String name, char[] text, int offset, int length) {
            return new String(text, offset, length);
        }

        /**
         * Whether the series whose labels were just read is wanted: if not, its value is passed over
         * unread (its {@link #sample} still comes, so that the sink can tell the series ended).
         */
        default boolean wanted() {
            return true;
        }
    }

    /**
     * Reads {@code response} into {@code sink}; returns the result type. Fails with {@link QueryException}
     * (Prometheus's own error, or an answer that is not the API's) or {@link PartialData} (warnings).
     */
    static String read(Http.Response response, Sink sink) {
        Top top = new Top();
        try (JsonParser p = JSON.createParser(new BufferStream(response.body()))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notApi(response);
            }
            top.read(p, sink);
        } catch (IOException e) {
            throw notApi(response);
        } catch (IllegalArgumentException e) {
            // A success answer whose data is not shaped as the API's: Prometheus (or what stands in for it) answered.
            if (top.status == null || "success".equals(top.status)) {
                throw new QueryException(Kind.BAD_RESPONSE, null, e.getMessage(), true);
            }
        }
        return top.outcome(response);
    }

    /** The answer's bytes as Jackson reads them, into its own buffer: no copy of the whole answer. */
    private static final class BufferStream extends InputStream {
        private final Buffer body;
        private int at;

        BufferStream(Buffer body) {
            this.body = body;
        }

        @Override
        public int read() {
            return at < body.length() ? body.getByte(at++) & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (at >= body.length()) {
                return -1;
            }
            int n = Math.min(length, body.length() - at);
            body.getBytes(at, at + n, into, offset);
            at += n;
            return n;
        }
    }

    private static QueryException notApi(Http.Response response) {
        return new QueryException(Kind.BAD_RESPONSE, null, "HTTP " + response.status() + " without a Prometheus API body");
    }

    /** The answer's top-level fields, read in whatever order they come. */
    private static final class Top {
        @Nullable Object status;
        @Nullable String errorType;
        @Nullable String error;
        @Nullable String resultType;
        final List<String> warnings = new ArrayList<>();

        void read(JsonParser p, Sink sink) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "status" -> status = value == JsonToken.VALUE_STRING ? p.getText() : value;
                    case "errorType" -> errorType = text(p);
                    case "error" -> error = text(p);
                    case "warnings" -> warnings(p);
                    case "data" -> data(p, sink);
                    default -> p.skipChildren();
                }
            }
        }

        private void warnings(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                JsonToken t = p.currentToken();
                warnings.add(t.isScalarValue() ? p.getText() : p.readValueAsTree().toString());
            }
        }

        private void data(JsonParser p, Sink sink) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("resultType")) {
                    resultType = text(p);
                } else if (field.equals("result") && (resultType == null || !resultType.equals("string"))) {
                    Results.read(p, sink);
                } else {
                    p.skipChildren();
                }
            }
            resultType = resultType == null ? "none" : resultType;
        }

        /** The API's verdict on the query: its error, partial data, or the result type. */
        String outcome(Http.Response response) {
            if (!"success".equals(status) && !"error".equals(status)) {
                throw notApi(response);
            }
            if ("error".equals(status)) {
                throw new QueryException(Kind.API, errorType, errorType + ": " + error);
            }
            if (!warnings.isEmpty()) {
                throw new PartialData(warnings);
            }
            if (resultType == null) {
                throw new QueryException(Kind.BAD_RESPONSE, null, "the answer has no data", true);
            }
            return resultType;
        }

        private static @Nullable String text(JsonParser p) throws IOException {
            if (p.currentToken().isScalarValue()) {
                return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
            }
            p.skipChildren();
            return null;
        }
    }
}
