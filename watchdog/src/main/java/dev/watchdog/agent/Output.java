package dev.watchdog.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The end of what a step printed, bounded, for the agent's log only: it may hold secrets. */
final class Output {

    private Output() {}

    /** The last {@code limit} bytes of a file, then the file deleted. */
    static String tailAndDelete(Path file, int limit) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            byte[] bytes = new byte[(int) Math.min(length, limit)];
            in.seek(length - bytes.length);
            in.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            return length > limit ? "[" + (length - limit) + " bytes cut]" + text : text;
        } catch (IOException e) {
            return "(output unreadable: " + e.getClass().getSimpleName() + ")";
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind is no reason to fail a rollback
            }
        }
    }

    /** For the end of a log line: "(none)", or the text on lines of its own. */
    static String forLog(String text) {
        return text.isBlank() ? "(none)" : "\n" + text.stripTrailing();
    }

    /** At most {@code limit} bytes of a response body, its start. */
    static String head(String text, int limit) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= limit ? text
                : new String(bytes, 0, limit, StandardCharsets.UTF_8) + "[" + (bytes.length - limit) + " bytes cut]";
    }
}
