package dev.watchdog.evaluation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The false-alarm rate of the shipped rules with a test under repeated looks, through the rule path
 * (the shipped rule files, Observer and Judge at each rule's interval, over an in-process Prometheus):
 * healthy services of every kind, each judged every minute for 90 minutes after its release against
 * the previous version or its reference days, which differ from today by chance alone (no day is
 * busier than another: that would be a real change, which the tests are right to find). Each rule is
 * tested at significance 0.01: at most 1 % of healthy watches may page by it. JudgementBench measures
 * the same over 24 h watches, and with days that differ.
 */
class RepeatedLooksTest {

    static final int RUNS = 100;
    static final Duration WATCH = Duration.ofMinutes(90);

    @Test
    @DisplayName("100 healthy services of every kind, looked at every minute for 90 min: each rule's false pages at most 1 %")
    void healthy() {
        RuleSet rules = Simulations.shipped(r -> r.judgement().test().isPresent());
        SplittableRandom random = new SplittableRandom(2026);
        Map<String, Integer> pages = new LinkedHashMap<>();
        rules.rules().forEach(r -> pages.put(r.name(), 0));
        List<History> histories = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            histories.add(new History(JudgementBench.noDayToDay(Simulations.healthy(random)), History.Effect.NONE,
                    WATCH.toMinutes() / 60.0, random.nextLong()));
        }
        // Drawn in order above, judged on every core.
        histories.parallelStream().map(h -> Simulations.judge(rules, h, WATCH).p1().keySet()).toList()
                .forEach(paged -> paged.forEach(rule -> pages.merge(rule, 1, Integer::sum)));
        // At a true rate of 1 %, more than 5 of 100 happens with chance under 1/1000.
        pages.forEach((rule, n) -> assertTrue(n <= 5, rule + " paged " + n + " of " + RUNS + " healthy watches: " + pages));
    }
}
