package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.RuleState.Level;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Threshold;
import dev.watchdog.stats.Median;
import dev.watchdog.stats.Spread;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A rule with a test: each group of the release's counts since the release against its reference,
 * from the first baseline alternative that has data. The previous version counts while it still
 * serves (its counts grew since the last look: once it is gone, its counts stand still and the next
 * alternative takes over); offsets give the median reference of those with data, the test widened
 * by how much those days disagree between themselves; a before-release
 * baseline is the counts over its span. A rule whose thresholds are all absolute is judged by its
 * ratio's confidence bound instead ({@link Bounded}). Pure.
 */
final class Tested {

    private Tested() {}

    static List<Reading> readings(Rule rule, Values v, RuleState prev, double dispersion) {
        if (!rule.judgement().relative()) {
            return Bounded.readings(rule, v.now(), dispersion);
        }
        String aside = Plain.aside(rule);
        for (Baseline.Reference a : rule.measure().baseline().map(Baseline::alternatives).orElse(List.of())) {
            List<Reading> out = a instanceof Baseline.PreviousVersion ? versions(rule, v, prev, aside, dispersion)
                    : references(rule, v, prev, a, aside, dispersion);
            if (out != null) {
                return out;
            }
        }
        List<Reading> none = new ArrayList<>();
        Sides.of(rule, v.now(), aside).forEach((key, side) -> {
            Severity absolute = Judge.severity(rule, side.value(), null);
            none.add(new Reading(new Series(key, side.value()), null, absolute,
                    absolute == null ? "no baseline to compare with (no data, or zero)" : null, null));
        });
        return none;
    }

    /** Against the previous version, or null when it does not serve beside the new one. */
    private static @Nullable List<Reading> versions(Rule rule, Values v, RuleState prev, @Nullable String aside,
                                                   double dispersion) {
        Split split = v.split();
        if (split == null || split.older() == null) {
            return null;
        }
        Map<Map<String, String>, Side> newer = Sides.of(rule, v.now(), aside, Sides.having(split.label(), split.newer()));
        Map<Map<String, String>, Side> older = Sides.of(rule, v.now(), aside, Sides.having(split.label(), split.older()));
        if (older.isEmpty() || !serving(older, prev)) {
            return null;
        }
        String against = "the previous version (" + split.older() + ")";
        List<Reading> out = new ArrayList<>();
        older.forEach((key, old) -> {
            Side now = newer.get(key);
            if (now == null) {
                out.add(Reading.unsure(new Series(key, Double.NaN), old.value(), "no data for the new version yet", null));
            } else {
                double share = now.exposure() / (now.exposure() + old.exposure());
                out.add(Compared.read(rule, new Series(key, now.value()), now, old, against, share, dispersion, prev.level()));
            }
        });
        return out;
    }

    /**
     * Whether the previous version still serves: its counts grew since the last look (or there was no
     * look against it yet). Counts since the release stand still once its last instance is gone.
     */
    private static boolean serving(Map<Map<String, String>, Side> older, RuleState prev) {
        Evidence last = prev.evidence();
        if (last == null || last.share() == null) {
            return true;
        }
        return older.values().stream().anyMatch(s -> s.exposure() > last.referenceCount() * (1 + 1e-9))
                || older.values().stream().noneMatch(s -> s.exposure() == last.referenceCount());
    }

    /**
     * Against offsets (their median, each day set to today's level where it is known) or the counts
     * before the release, or null when none has data.
     */
    private static @Nullable List<Reading> references(Rule rule, Values v, RuleState prev, Baseline.Reference a,
                                                     @Nullable String aside, double dispersion) {
        List<Sample> samples = v.references().getOrDefault(a.text(), List.of());
        List<Map<Map<String, String>, Side>> each = samples.stream().map(s -> Sides.of(rule, s, aside)).toList();
        if (each.stream().allMatch(Map::isEmpty)) {
            return null;
        }
        List<@Nullable Level> levels = levels(rule, a, prev, each.size());
        List<Reading> out = new ArrayList<>();
        Sides.of(rule, v.now(), aside).forEach((key, now) -> {
            List<Day> present = new ArrayList<>();
            for (int i = 0; i < each.size(); i++) {
                Side side = each.get(i).get(key);
                if (side != null) {
                    present.add(Day.of(i, side, levels.get(i), dispersion));
                }
            }
            Series series = new Series(key, now.value());
            Day picked = Median.pick(present, d -> d.side().value()).orElse(null);
            if (picked == null) {
                out.add(Reading.unsure(series, null, "no baseline to compare with (no data, or zero)", null));
            } else {
                out.add(Compared.read(rule, series, now, picked.side(), against(a, picked, present.size()), null,
                        widened(rule, now, picked, present, dispersion), prev.level()));
            }
        });
        return out;
    }

    /**
     * How much a day's level is expected to differ from another's before the counts are seen: ln levels
     * with a standard deviation of 5 %. A level the hours before the release tell precisely (counts at
     * tens a second) is taken nearly whole; one they tell poorly (the p95 of bursty hours) is shrunk
     * towards no change by {@code PRIOR / (PRIOR + its variance)}, so that noise in those hours neither
     * moves the reference nor makes the test powerless.
     */
    static final double PRIOR = 0.05 * 0.05;

    /**
     * A reference day: its side, set to today's level where the hours before the release told it
     * ({@code level}: ln of the factor, 0 when not set; {@code levelVariance}: the factor's variance,
     * its counts' dispersion counted, 0 when not set).
     */
    record Day(int index, Side side, double level, double levelVariance) {

        /** The day's side at today's level (shrunk by what the hours could tell), or as it is when the level is unknown. */
        static Day of(int index, Side side, @Nullable Level level, double dispersion) {
            if (level == null) {
                return new Day(index, side, 0, 0);
            }
            double variance = level.variance() * dispersion;
            double kept = PRIOR / (PRIOR + variance);
            return new Day(index, side.scaled(Math.exp(kept * level.change())), kept * level.change(), kept * variance);
        }
    }

    /**
     * The furthest a level may be from no change and still be a day's: 25 %, or twice the rule's
     * smallest relative threshold where that is more. Further is no day's level but an incident's (in
     * the hours before the release, on either day), and the day is taken as it is. Days differ by a
     * few percent: twice a "< -5%" threshold (10 %) left out one day in seven of days 5 % apart, and
     * those uncorrected days were most of JudgementBench's false pages.
     */
    static final double ODD_LEVEL = Math.log(1.25);

    /** Each offset's level against today's, kept from the hours before the release; null where unknown or odd. */
    private static List<@Nullable Level> levels(Rule rule, Baseline.Reference a, RuleState prev, int days) {
        Map<String, Level> kept = prev.kept() == null || prev.kept().levels() == null ? Map.of() : prev.kept().levels();
        double odd = Math.max(2 * smallestRelative(rule), ODD_LEVEL);
        List<@Nullable Level> out = new ArrayList<>();
        for (int i = 0; i < days; i++) {
            Level l = a instanceof Baseline.Offsets o ? kept.get(Baseline.days(o.offsets().get(i))) : null;
            out.add(l != null && Math.abs(l.change()) <= odd ? l : null);
        }
        return out;
    }

    /**
     * The dispersion widened by what the test does not see in the counts: the uncertainty of the
     * median day's level, and how much the reference days (at today's level) still disagree beyond
     * chance (stats.Spread): the test then asks whether today is outside what they disagree about.
     * Days whose value cannot be told (zero, nothing counted) are left out of the disagreement, and so
     * is an odd day, further from the median than twice the rule's smallest relative threshold
     * (yesterday's incident, a surge): the median sets it aside, and it must not widen the test until
     * a real fall hides in it.
     */
    static double widened(Rule rule, Side now, Day ref, Collection<Day> days, double dispersion) {
        double variance = (now.logVariance() + ref.side().logVariance()) * dispersion;
        double added = ref.levelVariance();
        double weight = now instanceof Side.Distribution ? Spread.QUANTILES : Spread.COUNTS;
        double odd = 2 * smallestRelative(rule);
        double median = Math.log(ref.side().value());
        List<Day> told = days.stream().filter(d -> d.side().value() > 0 && Double.isFinite(d.side().logVariance())
                && Math.abs(Math.log(d.side().value()) - median) <= odd).toList();
        double[] logs = new double[told.size()];
        double[] sampling = new double[told.size()];
        for (int i = 0; i < told.size(); i++) {
            logs[i] = Math.log(told.get(i).side().value());
            sampling[i] = told.get(i).side().logVariance() * dispersion + told.get(i).levelVariance();
        }
        added += weight * Spread.between(logs, sampling);
        return Spread.widened(dispersion, added, variance);
    }

    /** The smallest relative threshold of the rule as a log change (-20 % and +25 % are both 0.22). */
    private static double smallestRelative(Rule rule) {
        return Stream.of(rule.judgement().p0(), rule.judgement().p1()).flatMap(Optional::stream)
                .filter(Threshold::relative).mapToDouble(t -> Math.abs(Math.log(1 + t.value() / 100)))
                .min().orElse(Double.POSITIVE_INFINITY);
    }

    /**
     * "the median of 1d, 7d, 14d earlier (7d, +3 % to today's level)": which reference the median is, when
     * there are several, and how much it was raised or lowered to today's level.
     */
    private static String against(Baseline.Reference a, Day picked, int present) {
        List<String> notes = new ArrayList<>();
        if (a instanceof Baseline.Offsets o && o.offsets().size() > 1) {
            notes.add(Baseline.days(o.offsets().get(picked.index())));
            if (present < o.offsets().size()) {
                notes.add("of " + present + " with data");
            }
        }
        if (picked.level() != 0) {
            notes.add(Evidence.percent(Math.expm1(picked.level())) + " to today's level");
        }
        return notes.isEmpty() ? a.describe() : a.describe() + " (" + String.join(", ", notes) + ")";
    }
}
