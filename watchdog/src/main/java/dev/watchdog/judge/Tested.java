package dev.watchdog.judge;

import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.rules.Baseline;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.Threshold;
import dev.watchdog.stats.Median;
import dev.watchdog.stats.Spread;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
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

    /** Against offsets (their median) or the counts before the release, or null when none has data. */
    private static @Nullable List<Reading> references(Rule rule, Values v, RuleState prev, Baseline.Reference a,
                                                     @Nullable String aside, double dispersion) {
        List<Sample> samples = v.references().getOrDefault(a.text(), List.of());
        List<Map<Map<String, String>, Side>> each = samples.stream().map(s -> Sides.of(rule, s, aside)).toList();
        if (each.stream().allMatch(Map::isEmpty)) {
            return null;
        }
        List<Reading> out = new ArrayList<>();
        Sides.of(rule, v.now(), aside).forEach((key, now) -> {
            Map<Integer, Side> present = new LinkedHashMap<>();
            for (int i = 0; i < each.size(); i++) {
                Side side = each.get(i).get(key);
                if (side != null) {
                    present.put(i, side);
                }
            }
            Series series = new Series(key, now.value());
            Map.Entry<Integer, Side> picked = Median.pick(new ArrayList<>(present.entrySet()), e -> e.getValue().value())
                    .orElse(null);
            if (picked == null) {
                out.add(Reading.unsure(series, null, "no baseline to compare with (no data, or zero)", null));
            } else {
                out.add(Compared.read(rule, series, now, picked.getValue(), against(a, picked.getKey(), present.size()),
                        null, widened(rule, now, picked.getValue(), present.values(), dispersion), prev.level()));
            }
        });
        return out;
    }

    /**
     * The dispersion widened by how much the reference days disagree beyond chance (stats.Spread): the
     * test then asks whether today is outside what they disagree about. Days whose value cannot be
     * told (zero, nothing counted) are left out, and so is an odd day, further from the median than
     * twice the rule's smallest relative threshold (yesterday's incident, a surge): the median sets it
     * aside, and it must not widen the test until a real fall hides in it.
     */
    static double widened(Rule rule, Side now, Side ref, Collection<Side> days, double dispersion) {
        double weight = now instanceof Side.Distribution ? Spread.QUANTILES : Spread.COUNTS;
        if (weight == 0) {
            return dispersion;
        }
        double odd = 2 * smallestRelative(rule);
        double median = Math.log(ref.value());
        List<Side> told = days.stream().filter(d -> d.value() > 0 && Double.isFinite(d.logVariance())
                && Math.abs(Math.log(d.value()) - median) <= odd).toList();
        if (told.size() < 2) {
            return dispersion;
        }
        double[] logs = new double[told.size()];
        double[] sampling = new double[told.size()];
        for (int i = 0; i < told.size(); i++) {
            logs[i] = Math.log(told.get(i).value());
            sampling[i] = told.get(i).logVariance() * dispersion;
        }
        double tau2 = Spread.between(logs, sampling);
        return Spread.widened(dispersion, tau2, (now.logVariance() + ref.logVariance()) * dispersion, weight);
    }

    /** The smallest relative threshold of the rule as a log change (-20 % and +25 % are both 0.22). */
    private static double smallestRelative(Rule rule) {
        return Stream.of(rule.judgement().p0(), rule.judgement().p1()).flatMap(Optional::stream)
                .filter(Threshold::relative).mapToDouble(t -> Math.abs(Math.log(1 + t.value() / 100)))
                .min().orElse(Double.POSITIVE_INFINITY);
    }

    /** "the median of 1d, 7d, 14d earlier (7d)": which reference the median is, when there are several. */
    private static String against(Baseline.Reference a, int picked, int present) {
        if (a instanceof Baseline.Offsets o && o.offsets().size() > 1) {
            String which = Baseline.days(o.offsets().get(picked));
            return a.describe() + " (" + which + (present < o.offsets().size() ? ", of " + present + " with data" : "") + ")";
        }
        return a.describe();
    }
}
