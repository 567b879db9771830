package dev.watchdog.report;

import dev.watchdog.core.Durations;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A Markdown text being written: headings, lines, tables and code, with what people wrote escaped. */
final class Markdown {

    private final StringBuilder out = new StringBuilder();
    private final Instant start;

    /** {@code start}: the release's start, from which every T+ counts. */
    Markdown(Instant start) {
        this.start = start;
    }

    Markdown heading(int level, String text) {
        out.append("#".repeat(level)).append(' ').append(text).append("\n\n");
        return this;
    }

    Markdown line(String text) {
        out.append(text).append('\n');
        return this;
    }

    /** Ends a paragraph or a list. */
    Markdown gap() {
        out.append('\n');
        return this;
    }

    Markdown table(List<String> header, List<List<String>> rows) {
        row(header);
        row(header.stream().map(h -> "---").toList());
        rows.forEach(this::row);
        return gap();
    }

    Markdown code(String language, String text) {
        String fence = text.contains("```") ? "~~~~" : "```";
        out.append(fence).append(language).append('\n').append(text.strip()).append('\n').append(fence).append("\n\n");
        return this;
    }

    String text() {
        return out.toString();
    }

    private void row(List<String> cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    /** A moment as UTC and as time since the release started: {@code 2026-11-21T10:01:15Z (T+1m15s)}. */
    String at(Instant at) {
        return at == null ? "-" : at + " (" + sinceStart(at) + ")";
    }

    String sinceStart(Instant at) {
        Duration d = Duration.between(start, at);
        return d.isNegative() ? "T-" + duration(d.negated()) : "T+" + duration(d);
    }

    static String duration(Duration d) {
        return d == null ? "-" : Durations.format(d);
    }

    /** What people or rules wrote, safe inside a table cell or a line: no pipes, no line breaks, no HTML tags. */
    static String text(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
                .replaceAll("\\s*\\R\\s*", " ");
    }

    /** Inline code: the text as it is, in a code span long enough not to be closed by it. */
    static String code(String s) {
        String ticks = s.contains("``") ? "```" : s.contains("`") ? "``" : "`";
        String inner = ticks.length() > 1 ? " " + s + " " : s;
        return ticks + inner.replaceAll("\\R", " ") + ticks;
    }

    /** A measured value as Prometheus gave it, to six significant digits: {@code 0.073}, {@code 1250}. */
    static String number(Double v) {
        if (v == null) {
            return "no data";
        }
        if (v.isNaN() || v.isInfinite()) {
            return String.valueOf(v);
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
