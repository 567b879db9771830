package dev.watchdog.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The keys of rules with a test: counts since the release, ratios, quantiles, baselines of several references. */
class StatisticalRulesTest {

    @Test
    @DisplayName("a latency rule over histogram buckets since the release, against the previous version or three days")
    void loads() {
        Rule rule = RuleFixtures.rule("""
                name: latency
                signal: latency
                expr: sum by (version, le) (increase(latency_bucket{service="{{service}}"}[{{since_release}}]))
                quantile: 0.95
                baseline: previous-version or offset 1d, 7d, 14d
                versions: {label: rollouts_pod_template_hash, new: "{{canary}}", old: "{{stable}}"}
                p1: "> +10%"
                significance: 0.01
                minSample: 1000
                """);
        assertEquals(new Shape.Quantile(0.95), rule.measure().shape());
        assertEquals("p95", ((Shape.Quantile) rule.measure().shape()).label());
        assertTrue(rule.cumulative());
        Baseline b = rule.measure().baseline().orElseThrow();
        assertEquals(List.of("previous-version", "offset 1d, 7d, 14d"), b.alternatives().stream().map(Baseline.Reference::text).toList());
        assertEquals(List.of(Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(14)),
                ((Baseline.Offsets) b.alternatives().get(1)).offsets());
        Baseline.Versions v = b.versions().orElseThrow();
        assertEquals("rollouts_pod_template_hash", v.label());
        assertEquals("abc", v.newer().render(Map.of("canary", "abc")));
        assertEquals(new Judgement.Test(0.01, 1000), rule.judgement().test().orElseThrow());
        assertEquals(Set.of("service"), rule.variables(), "since_release is the watchdog's; the versions' values optional");
        assertEquals("the median of 1d, 7d, 14d earlier", b.alternatives().get(1).describe());
    }

    @Test
    @DisplayName("a ratio: expr counts the events, total what they are counted among; versions by the version label by default")
    void ratio() {
        Rule rule = RuleFixtures.rule("""
                name: canary-errors
                signal: errors
                expr: sum by (version) (increase(errors_total{service="{{service}}"}[{{since_release}}]))
                total: sum by (version) (increase(requests_total{service="{{service}}"}[{{since_release}}]))
                baseline: previous-version
                p1: "> +50%"
                significance: 0.01
                """);
        assertTrue(rule.measure().shape() instanceof Shape.Ratio);
        assertEquals(Baseline.Versions.DEFAULT, rule.measure().baseline().orElseThrow().versions().orElseThrow());
        assertEquals(2, rule.templates().size());
    }

    @Test
    @DisplayName("every misuse is a problem at the line of the field to change")
    void problems() {
        RuleException e = assertThrows(RuleException.class, () -> RuleFixtures.ruleSet("""
                      - name: window-counts
                        signal: traffic
                        expr: sum(increase(requests_total[15m]))
                        baseline: offset 1d
                        p1: "< -5%"
                        significance: 0.01
                      - name: both
                        signal: latency
                        expr: sum(increase(x_bucket[{{since_release}}]))
                        total: sum(increase(x_count[{{since_release}}]))
                        quantile: 1.5
                        baseline: before-release
                        versions: {label: version}
                        minSample: 10
                        p1: "> +10%"
                      - name: versions-counts
                        signal: traffic
                        expr: sum by (version) (increase(requests_total[{{since_release}}]))
                        select: {service: "{{since_release}}"}
                        baseline: previous-version or offset 1d or offset 7d
                        p1: "< -5%"
                        significance: 0.01
                """));
        // The rules start at line 4: three lines of group come first.
        List<String> problems = e.problems().stream().map(p -> p.line() + ": " + p.message()).toList();
        assertTrue(problems.contains("9: significance tests counts since the release, looked at every evaluation: count them "
                + "with increase(...[{{since_release}}])"), problems.toString());
        assertTrue(problems.contains("14: quantile: '1.5' is not a quantile between 0 and 1, e.g. 0.95"), problems.toString());
        assertTrue(problems.contains("14: a rule is a ratio (total) or a histogram's quantile (quantile), not both"),
                problems.toString());
        assertTrue(problems.contains("15: counts since the release ({{since_release}}) are compared with counts over a span: "
                + "before-release 1h, not before-release"), problems.toString());
        assertTrue(problems.contains("16: versions tell the previous version's series apart: it needs baseline: "
                + "previous-version"), problems.toString());
        assertTrue(problems.contains("17: minSample is the least each side of the test needs: it needs significance"),
                problems.toString());
        assertTrue(problems.contains("22: select.service: {{since_release}} is a duration for range selectors, not a label "
                + "value"), problems.toString());
        assertTrue(problems.contains("23: baseline: 'previous-version or offset 1d or offset 7d' names offset twice"),
                problems.toString());
    }

    @Test
    @DisplayName("counts of each version are not compared: their shares of the traffic differ")
    void versionsOfCounts() {
        RuleException e = assertThrows(RuleException.class, () -> RuleFixtures.rule("""
                name: versions-counts
                signal: traffic
                expr: sum by (version) (increase(requests_total[{{since_release}}]))
                baseline: previous-version
                p1: "< -5%"
                significance: 0.01
                """));
        assertTrue(e.getMessage().contains("versions serve different shares of the traffic: compare their rates (total) or "
                + "distributions (quantile), not their counts"), e.getMessage());
    }

    @Test
    @DisplayName("a count since the release is not compared with the hour before: the spans differ in length")
    void countsAgainstTheHourBefore() {
        RuleException e = assertThrows(RuleException.class, () -> RuleFixtures.rule("""
                name: orders-against-the-hour
                signal: business
                expr: sum(increase(orders_total[{{since_release}}]))
                baseline: before-release 1h
                p1: "< -20%"
                significance: 0.01
                """));
        assertTrue(e.getMessage().contains("a count since the release is compared with the same span at the same clock "
                + "time earlier (offset 1d, 7d, 14d): the span before the release is not as long; before-release compares "
                + "rates (total) or distributions (quantile)"), e.getMessage());
    }

    @Test
    @DisplayName("{{since_release}} stands in a range selector, outside quotes, and never in an SLO")
    void sinceRelease() {
        Template t = Template.parse("sum(increase(x{service=\"{{service}}\"}[{{since_release}}]))");
        assertEquals("sum(increase(x{service=\"api\"}[37m15s]))", t.render(Map.of("service", "api", "since_release", "37m15s")));
        assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("service", "api", "since_release", "1h) or vector(1")));
    }
}
