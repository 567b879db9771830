package dev.watchdog.prometheus;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import java.io.IOException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The {@code result} list of an answer, token by token: the samples of a vector or a matrix, or the
 * one {@code [time, value]} pair of a scalar. Each series is handed on as soon as it is read; only
 * one series' labels are held at a time.
 */
final class Results {

    private static final String[] NONE = {};

    private Results() {}

    /** At the result's first token; leaves the parser at its last. */
    static void read(JsonParser p, AnswerReader.Sink sink) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("the result is not a list");
        }
        JsonToken first = p.nextToken();
        if (first == JsonToken.END_ARRAY) {
            return;
        }
        if (first.isScalarValue()) {
            scalar(p, sink);
            return;
        }
        Labels labels = new Labels();
        Points points = new Points();
        for (JsonToken t = first; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            sample(p, sink, labels, points);
        }
    }

    /** A scalar (or a string, which the result type then refuses): {@code [time, "value"]}. */
    private static void scalar(JsonParser p, AnswerReader.Sink sink) throws IOException {
        p.nextToken();
        String text = p.getText();
        double value;
        try {
            value = value(text);
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
        }
        sink.sample(NONE, NONE, 0, value);
    }

    private static void sample(JsonParser p, AnswerReader.Sink sink, Labels labels, Points points) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("a series of the result is not an object");
        }
        labels.size = 0;
        points.count = 0;
        double value = Double.NaN;
        boolean wanted = true;
        boolean instant = false;
        boolean range = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "metric" -> {
                    labels.read(p, sink);
                    wanted = sink.wanted();
                }
                case "value" -> {
                    // Prometheus writes the labels first: another replica's series is not parsed further.
                    if (wanted) {
                        value = pair(p, null);
                    } else {
                        p.skipChildren();
                    }
                    instant = true;
                }
                case "values" -> {
                    points.read(p);
                    range = true;
                }
                default -> p.skipChildren();
            }
        }
        if (instant) {
            sink.sample(labels.names, labels.values, labels.size, value);
        } else if (range) {
            sink.points(labels.names, labels.values, labels.size, points.times, points.values, points.count);
        } else {
            throw new IllegalArgumentException("a series of the result has no value (a native histogram?)");
        }
    }

    /**
     * {@code [time, "value"]}: the value; with {@code into}, the pair goes there (an instant sample's
     * time is the query's, and not read).
     */
    private static double pair(JsonParser p, @Nullable Points into) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY || p.nextToken() == JsonToken.END_ARRAY
                || !p.currentToken().isScalarValue()) {
            throw new IllegalArgumentException("a value is not a [time, value] pair");
        }
        double time = into == null ? Double.NaN : value(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        p.nextToken();
        double value = value(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        if (p.nextToken() != JsonToken.END_ARRAY) {
            throw new IllegalArgumentException("a value is not a [time, value] pair");
        }
        if (into != null) {
            into.add(time, value);
        }
        return value;
    }

    /**
     * A value as the parser holds it, without a string: by Jackson's fast parser (FastDoubleParser,
     * correctly rounded as {@link Double#parseDouble} is, in a fraction of its time and garbage; every
     * series of every answer of a fleet's tick goes through here), or as text for names.
     */
    private static double value(char[] text, int offset, int length) {
        char first = length == 0 ? ' ' : text[offset];
        boolean digits = (first >= '0' && first <= '9') || first == '.'
                || (length > 1 && (first == '-' || first == '+') && text[offset + 1] >= '0' && text[offset + 1] <= '9');
        return digits ? NumberInput.parseDouble(text, offset, length, true) : value(new String(text, offset, length));
    }

    /** Prometheus writes values as strings, including {@code NaN}, {@code +Inf} and {@code -Inf}. */
    static double value(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** One series' labels, names and values side by side; the arrays are reused from series to series. */
    private static final class Labels {
        String[] names = new String[8];
        String[] values = new String[8];
        int size;

        void read(JsonParser p, AnswerReader.Sink sink) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (size == names.length) {
                    names = Arrays.copyOf(names, size * 2);
                    values = Arrays.copyOf(values, size * 2);
                }
                // Names come from Jackson's symbol table: one instance per name, however many series carry it.
                names[size] = p.currentName();
                p.nextToken();
                if (!p.currentToken().isScalarValue()) {
                    p.skipChildren();
                    continue;
                }
                values[size] = sink.value(names[size], p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                size++;
            }
        }
    }

    /** One series' points; the arrays are reused from series to series. */
    private static final class Points {
        double[] times = new double[16];
        double[] values = new double[16];
        int count;

        void read(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("a series' values are not a list");
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                pair(p, this);
            }
        }

        void add(double time, double value) {
            if (count == times.length) {
                times = Arrays.copyOf(times, count * 2);
                values = Arrays.copyOf(values, count * 2);
            }
            times[count] = time;
            values[count++] = value;
        }
    }
}
