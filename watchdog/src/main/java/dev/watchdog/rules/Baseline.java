package dev.watchdog.rules;

import dev.watchdog.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a rule compares the release with, as alternatives tried in order ({@code previous-version or
 * offset 1d, 7d, 14d}): the first that has data is used. Each is the same expression before the
 * release started ({@code before-release}, optionally over a span before it: {@code before-release
 * 1h}), at the same clock time earlier ({@code offset 1d}; several offsets are combined by their
 * median, {@code offset 1d, 7d, 14d}), or the previous version's series at the same moment
 * ({@code previous-version}, told apart by a label: {@link Versions}).
 */
public record Baseline(List<Reference> alternatives, String text) {

    public Baseline {
        alternatives = List.copyOf(alternatives);
    }

    /** One place a baseline may come from. */
    public sealed interface Reference {
        /** How people name it: "the hour before the release", "the median of 1d, 7d, 14d earlier". */
        String describe();

        /** As a rule file writes it: "before-release 1h", "offset 1d, 7d, 14d", "previous-version". */
        String text();
    }

    /**
     * The expression at the release's start, or over {@code span} before it (zero: at the start).
     * {@code text}, as a rule file writes it, follows from the span: made once, as every evaluation of
     * every release looks its samples up by it.
     */
    public record BeforeRelease(Duration span, String text) implements Reference {
        public BeforeRelease {
            text = span.isZero() ? "before-release" : "before-release " + Durations.format(span);
        }

        public BeforeRelease(Duration span) {
            this(span, "");
        }

        @Override
        public String describe() {
            return span.isZero() ? "the release's start" : span.equals(Duration.ofHours(1)) ? "the hour before"
                    : "the " + Durations.format(span) + " before the release";
        }
    }

    /**
     * The expression at the same clock time {@code offsets} earlier; several are combined by their
     * median. {@code text}, as a rule file writes it, follows from the offsets: made once, as every
     * evaluation of every release looks its samples up by it.
     */
    public record Offsets(List<Duration> offsets, String text) implements Reference {
        public Offsets {
            offsets = List.copyOf(offsets);
            text = "offset " + String.join(", ", offsets.stream().map(Baseline::days).toList());
        }

        public Offsets(List<Duration> offsets) {
            this(offsets, "");
        }

        @Override
        public String describe() {
            if (offsets.size() == 1) {
                return offsets.get(0).equals(Duration.ofDays(1)) ? "yesterday" : days(offsets.get(0)) + " earlier";
            }
            return "the median of " + String.join(", ", offsets.stream().map(Baseline::days).toList()) + " earlier";
        }
    }

    /** The previous version's series at the same moment, told apart from the new one's by {@code versions}. */
    public record PreviousVersion(Versions versions) implements Reference {
        @Override
        public String describe() {
            return "the previous version";
        }

        @Override
        public String text() {
            return "previous-version";
        }
    }

    /**
     * Which label tells the versions apart and the values of the new and the old one, templates of the
     * release's fields and labels: {@code version}, {@code {{version}}} and {@code {{previous_version}}}
     * unless the rule says otherwise (Argo Rollouts' {@code rollouts_pod_template_hash}, Flagger's
     * primary and canary workloads).
     */
    public record Versions(String label, Template newer, Template older) {
        public static final Versions DEFAULT = new Versions("version", Template.value("{{version}}"),
                Template.value("{{previous_version}}"));
    }

    public static Baseline parse(String text) {
        List<Reference> alternatives = new ArrayList<>();
        for (String part : text.trim().split("\\s+or\\s+")) {
            Reference r = reference(part.trim());
            if (alternatives.stream().anyMatch(a -> a.getClass() == r.getClass())) {
                throw new IllegalArgumentException("'" + text + "' names " + kind(r) + " twice");
            }
            alternatives.add(r);
        }
        return new Baseline(alternatives, text.trim());
    }

    private static Reference reference(String text) {
        String[] words = text.split("[\\s,]+");
        if (words[0].equals("before-release") && words.length <= 2) {
            return new BeforeRelease(words.length == 1 ? Duration.ZERO : Durations.parse(words[1]));
        }
        if (words[0].equals("offset") && words.length >= 2) {
            List<Duration> offsets = new ArrayList<>();
            for (int i = 1; i < words.length; i++) {
                Duration offset = Durations.parse(words[i]);
                if (offset.isZero() || offsets.contains(offset)) {
                    throw new IllegalArgumentException("an offset baseline needs distinct positive offsets: '" + text + "'");
                }
                offsets.add(offset);
            }
            return new Offsets(offsets);
        }
        if (words[0].equals("previous-version") && words.length == 1) {
            return new PreviousVersion(Versions.DEFAULT);
        }
        throw new IllegalArgumentException("'" + text + "' is not a baseline (expected before-release, "
                + "before-release 1h, offset 1d, offset 1d, 7d, 14d or previous-version, alternatives joined by 'or')");
    }

    private static String kind(Reference r) {
        return r instanceof BeforeRelease ? "before-release" : r instanceof Offsets ? "offset" : "previous-version";
    }

    /** The same baseline, its previous-version alternative telling versions apart by {@code versions}. */
    public Baseline with(Versions versions) {
        return new Baseline(alternatives.stream()
                .map(a -> a instanceof PreviousVersion ? (Reference) new PreviousVersion(versions) : a).toList(), text);
    }

    /** The before-release alternative, if there is one. A loop: every evaluation asks. */
    public Optional<BeforeRelease> beforeRelease() {
        for (Reference a : alternatives) {
            if (a instanceof BeforeRelease b) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** The previous-version alternative's labels, if there is one. A loop: every evaluation asks. */
    public Optional<Versions> versions() {
        for (Reference a : alternatives) {
            if (a instanceof PreviousVersion p) {
                return Optional.of(p.versions());
            }
        }
        return Optional.empty();
    }

    /** Every offset of the offset alternatives, in order: the reference days whose minutes a test reads. */
    public List<Duration> offsets() {
        List<Duration> out = new ArrayList<>();
        for (Reference a : alternatives) {
            if (a instanceof Offsets o) {
                out.addAll(o.offsets());
            }
        }
        return out;
    }

    /**
     * The query that measures a before-release baseline averaged over a span before the start
     * ({@code before-release 1h}, {@code avg_over_time((expr)[1h:step])}), or null when there is none:
     * other baselines send the query itself at another time.
     */
    public @Nullable String averaged(String query, Duration step) {
        return beforeRelease().filter(b -> !b.span().isZero())
                .map(b -> "avg_over_time((" + query + ")[" + Durations.format(b.span()) + ":" + Durations.format(step) + "])")
                .orElse(null);
    }

    /** "1d", "7d", "14d": offsets of whole days in days, as people write them. */
    public static String days(Duration d) {
        return d.toMillis() % Duration.ofDays(1).toMillis() == 0 ? d.toDays() + "d" : Durations.format(d);
    }

    @Override
    public String toString() {
        return text;
    }
}
