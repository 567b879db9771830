package dev.watchdog.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * How the log is written to stderr: text (logback.xml's pattern) or JSON, one object a line, by
 * Logback's own {@link JsonEncoder}. {@code WATCHDOG_LOG_FORMAT} wins over the config's
 * {@code logging.format}, so that a deployment can choose without editing the config.
 */
final class LogFormat {

    static final String ENV = "WATCHDOG_LOG_FORMAT";
    private static final String TEXT_APPENDER = "STDERR";
    private static final String JSON_APPENDER = "JSON";

    private LogFormat() {}

    /** Applies {@code WATCHDOG_LOG_FORMAT} if set; returns what is wrong with its value, or null. */
    static @Nullable String fromEnvironment() {
        String value = System.getenv(ENV);
        if (value == null || value.isBlank()) {
            return null;
        }
        String format = value.trim().toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            return ENV + " must be text or json, not '" + value + "'";
        }
        use(format);
        return null;
    }

    /** The config's {@code logging.format}, unless the environment chose already. */
    static void fromConfig(String format) {
        String env = System.getenv(ENV);
        if (env == null || env.isBlank()) {
            use(format);
        }
    }

    private static void use(String format) {
        if (format.equals("json") && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            if (root.getAppender(JSON_APPENDER) == null) {
                root.addAppender(jsonAppender(context));
                Appender<ILoggingEvent> text = root.getAppender(TEXT_APPENDER);
                if (text != null) {
                    root.detachAppender(text);
                    text.stop();
                }
            }
        }
    }

    /** Time, level, thread, logger, the message as formatted, MDC, key-value pairs and the exception. */
    private static ConsoleAppender<ILoggingEvent> jsonAppender(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(JSON_APPENDER);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
