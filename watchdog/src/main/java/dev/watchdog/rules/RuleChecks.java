package dev.watchdog.rules;

import dev.watchdog.rules.YamlNode.Mapping;
import org.jspecify.annotations.Nullable;

/**
 * The checks across a rule's fields: what each field means depends on others (a relative threshold
 * needs a baseline, a test needs counts since the release, a ratio is not a histogram ...). Each
 * problem is reported at the line of the field that has to change.
 */
final class RuleChecks {

    private final Fields fields;
    private final Mapping m;
    private final @Nullable String name;

    RuleChecks(Fields fields, Mapping m, @Nullable String name) {
        this.fields = fields;
        this.m = m;
        this.name = name;
    }

    void check(Measure measure, Judgement judgement) {
        boolean thresholds = has("p0") || has("p1");
        if (has("slo")) {
            if (thresholds || has("expr") || has("baseline") || has("total") || has("quantile")) {
                problem(null, "an slo rule takes its severities from its windows: no expr, total, quantile, p0, p1 or baseline");
            }
        } else if (!thresholds) {
            problem(null, "a rule needs p0, p1 or both");
        }
        if (has("total") && has("quantile")) {
            problem("quantile", "a rule is a ratio (total) or a histogram's quantile (quantile), not both");
        }
        if (measure.baseline().isEmpty() && judgement.relative()) {
            problem(null, "a relative threshold (%) needs a baseline: before-release, offset 1d ...");
        }
        if (has("versions") && measure.baseline().flatMap(Baseline::versions).isEmpty()) {
            problem("versions", "versions tell the previous version's series apart: it needs baseline: previous-version");
        }
        if (has("minSample") && judgement.test().isEmpty()) {
            problem("minSample", "minSample is the least each side of the test needs: it needs significance");
        }
        sinceRelease(measure);
        judgement.test().ifPresent(t -> test(measure, judgement));
    }

    /** Counts since the release are compared with the same span before it, never with one instant. */
    private void sinceRelease(Measure measure) {
        boolean cumulative = measure.expr() != null && measure.expr().variables().contains(Template.SINCE_RELEASE);
        boolean instant = measure.baseline().flatMap(Baseline::beforeRelease).filter(b -> b.span().isZero()).isPresent();
        if (cumulative && instant) {
            problem("baseline", "counts since the release ({{since_release}}) are compared with counts over a span: "
                    + "before-release 1h, not before-release");
        }
    }

    private void test(Measure measure, Judgement judgement) {
        if (!judgement.relative()) {
            if (!(measure.shape() instanceof Shape.Ratio)) {
                problem("significance", "significance tests a change against the baseline (a relative threshold, %) "
                        + "or a ratio's confidence bound against an absolute one: it needs a relative threshold or total");
            }
            return;
        }
        boolean cumulative = measure.expr() != null && measure.expr().variables().contains(Template.SINCE_RELEASE);
        boolean totalCumulative = !(measure.shape() instanceof Shape.Ratio r)
                || r.total().variables().contains(Template.SINCE_RELEASE);
        if (!cumulative || !totalCumulative) {
            problem("significance", "significance tests counts since the release, looked at every evaluation: count "
                    + "them with increase(...[{{since_release}}])" + (has("total") ? " in expr and total" : ""));
        }
        if (measure.shape() instanceof Shape.Value && measure.baseline().flatMap(Baseline::versions).isPresent()) {
            problem("baseline", "versions serve different shares of the traffic: compare their rates (total) or "
                    + "distributions (quantile), not their counts");
        }
        if (measure.shape() instanceof Shape.Value && measure.baseline().flatMap(Baseline::beforeRelease).isPresent()) {
            problem("baseline", "a count since the release is compared with the same span at the same clock time "
                    + "earlier (offset 1d, 7d, 14d): the span before the release is not as long; before-release "
                    + "compares rates (total) or distributions (quantile)");
        }
    }

    private boolean has(String key) {
        return m.entries().containsKey(key);
    }

    private void problem(@Nullable String key, String message) {
        Integer line = key == null ? null : m.keyLines().get(key);
        fields.problem(line == null ? m.line() : line, name, message);
    }
}
