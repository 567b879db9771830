package dev.watchdog.report;

import dev.watchdog.core.Durations;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** A Markdown text being written: headings, lines, tables and code, with what people wrote escaped. */
final class Markdown {

    /** U+200B: invisible, and enough to keep GitHub from linking or mentioning what it follows. */
    private static final String ZWSP = "\u200B";
    /** Where a zero-width space goes: after {@code @} and {@code #}, inside {@code ://}, after a leading {@code www}. */
    private static final Pattern UNLINKED = Pattern.compile("(@|#|:(?=//)|(?<![A-Za-z0-9])www(?=\\.))",
            Pattern.CASE_INSENSITIVE);

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
    String at(@Nullable Instant at) {
        return at == null ? "-" : at + " (" + sinceStart(at) + ")";
    }

    String sinceStart(Instant at) {
        Duration d = Duration.between(start, at);
        return d.isNegative() ? "T-" + duration(d.negated()) : "T+" + duration(d);
    }

    static String duration(@Nullable Duration d) {
        return d == null ? "-" : Durations.format(d);
    }

    /**
     * What people wrote (a release's fields, labels, reasons, who decided), and the timeline's words
     * that quote them: safe inside a table cell or a line, and inert where the report is filed as a
     * GitHub issue. It cannot break the table (pipes, line breaks), open HTML (tags, entities), make a
     * link or an image (brackets; bare {@code http://} and {@code www.}, which GitHub links by
     * itself) or reach people ({@code @team} mentions, {@code #12} references): a zero-width space
     * after {@code @}, {@code #}, {@code :} of {@code ://} and {@code www} leaves the text as it
     * reads, and unlinked.
     */
    static String text(@Nullable String s) {
        if (s == null) {
            return "";
        }
        String inert = cell(s.replace("&", "&amp;")).replace("[", "\\[").replace("]", "\\]");
        return UNLINKED.matcher(inert).replaceAll("$1" + ZWSP);
    }

    /** Text the rule files or the config wrote (a runbook's URL): kept a link, but it cannot break the table. */
    static String cell(@Nullable String s) {
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
    static String number(@Nullable Double v) {
        if (v == null) {
            return "no data";
        }
        if (v.isNaN() || v.isInfinite()) {
            return String.valueOf(v);
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
