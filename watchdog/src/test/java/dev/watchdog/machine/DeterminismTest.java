package dev.watchdog.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.core.Json;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.Sample;
import dev.watchdog.release.Registration;
import dev.watchdog.rules.RuleFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The machine decides the same way every time: the same inputs give byte-identical state, timeline
 * and effects, whatever order the maps inside the inputs were built in, whether the release was
 * written to the store and read back between steps, and in another JVM (whose hash-order salt
 * differs). Many seeded lives of a release with several rules, labels, breaches of every severity,
 * acks, accepts, rollbacks and their answers.
 */
class DeterminismTest {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final List<String> RULES = List.of("error-rate", "latency", "saturation", "logins");
    static final Machine MACHINE = new Machine(new Context(new ConfigLoader(n -> null).parse("""
            prometheus: {url: "http://127.0.0.1:1"}
            server: {externalUrl: "https://watchdog.example"}
            receivers:
              rm: {slack: {url: "https://hooks.example/rm"}}
              devops: {telegram: {token: "1:A", chatId: "-1001"}}
              cto: {slack: {url: "https://hooks.example/cto"}}
              pager: {alertmanager: {url: "http://127.0.0.1:9093"}}
            escalation:
              default:
                levels:
                  - {after: 0m, notify: [rm, devops, pager]}
                  - {after: 15m, notify: [cto]}
                repeat: 10m
                checkpoints: [5m, 15m, 30m, 1h]
            rollback:
              default:
                webhook: {url: "https://deployer.example/rollback"}
                verify: 10m
            """, "test.yml"), RuleFixtures.ruleSet("""
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
                  - name: latency
                    signal: latency
                    expr: p95{service="{{service}}"}
                    unit: seconds
                    p1: "> 1"
                    p0: "> 2"
                  - name: saturation
                    signal: saturation
                    expr: cpu{service="{{service}}"}
                    unit: ratio
                    p1: "> 0.8"
                    for: 1m
                  - name: logins
                    signal: business
                    expr: logins{service="{{service}}"}
                    unit: count
                    p1: "< 10"
            """)));

    @Test
    @DisplayName("200 seeded lives: the same with the maps built in another order and with a store round trip between steps")
    void sameEveryWay() {
        for (long seed = 1; seed <= 200; seed++) {
            List<Timed> inputs = life(seed);
            String plain = run(inputs, false, false);
            assertEquals(plain, run(inputs, true, false), "seed " + seed + ": the maps' order changed a step");
            assertEquals(plain, run(inputs, false, true), "seed " + seed + ": a store round trip changed a step");
        }
    }

    @Test
    @DisplayName("the same lives in two other JVMs, each with its own hash-order salt: the same bytes")
    void sameInOtherJvms() throws Exception {
        String here = digest();
        assertEquals(here, inAnotherJvm());
        assertEquals(here, inAnotherJvm());
    }

    /** Prints the digest of 50 lives: run by {@link #sameInOtherJvms} in a JVM of its own. */
    public static void main(String[] args) throws Exception {
        System.out.println(digest());
    }

    static String digest() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long seed = 1; seed <= 50; seed++) {
            sha.update(run(life(seed), false, false).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String inAnotherJvm() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), DeterminismTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the other JVM ended");
        assertEquals(0, p.exitValue(), out);
        return out.lines().reduce((a, b) -> b).orElse("");
    }

    /** An input at a time since the release began. */
    record Timed(Duration at, Input input) {}

    /**
     * Every step's watch, timeline and effects as JSON, one line each. {@code shuffled}: every map in
     * the inputs rebuilt in another order; {@code stored}: the watch written and read back between steps.
     */
    static String run(List<Timed> inputs, boolean shuffled, boolean stored) {
        StringBuilder out = new StringBuilder();
        Watch watch = null;
        Random order = new Random(7);
        for (Timed t : inputs) {
            Input input = shuffled ? reordered(t.input(), order) : t.input();
            Step step = MACHINE.step(watch, input, T0.plus(t.at()));
            if (step instanceof Step.Moved m) {
                out.append(Json.write(m.watch())).append('\n').append(Json.write(m.events())).append('\n')
                        .append(Json.write(m.effects())).append('\n');
                watch = stored ? Json.read(Json.write(m.watch()), Watch.class) : m.watch();
            } else {
                out.append("refused ").append(((Step.Refused) step).why()).append('\n');
            }
        }
        return out.toString();
    }

    /** A release's life: registered with labels, then observations, time, decisions and answers. */
    static List<Timed> life(long seed) {
        Random random = new Random(seed);
        List<Timed> inputs = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (String name : List.of("team", "cluster", "region", "tier")) {
            labels.put(name, name + random.nextInt(3));
        }
        Release r = new Registration("api", "1.4." + seed, "1.3.9", "production", labels, Duration.ofHours(2),
                Duration.ofMinutes(30), null, null).toRelease(T0, Duration.ofHours(24), Set.of("default"),
                Set.of("default"), Set.of("service"));
        r = release(r, "rel_seed" + seed, labels);
        inputs.add(new Timed(Duration.ZERO, new Input.Register(r)));
        Duration at = Duration.ZERO;
        for (int i = 0; i < 60; i++) {
            at = at.plusSeconds(15 + random.nextInt(120));
            inputs.add(new Timed(at, next(random, r.id())));
        }
        return inputs;
    }

    private static Input next(Random random, String id) {
        int pick = random.nextInt(20);
        return switch (pick) {
            case 0 -> new Input.Tick();
            case 1 -> new Input.Ack("alice", "looking");
            case 2 -> new Input.Accept("bob", "known");
            case 3 -> new Input.DecideRollback("carol", "users cannot log in");
            case 4 -> new Input.RollbackAnswered(id + ":rollback", new Answer(OutboxEntry.Status.SENT, 1, 200, null));
            default -> observe(random);
        };
    }

    /** Some rules' values, from healthy to P0, with several series each. */
    private static Input.Observe observe(Random random) {
        Map<String, Observation> seen = new LinkedHashMap<>();
        for (String rule : RULES) {
            if (random.nextInt(4) > 0) {
                double scale = rule.equals("logins") ? 40 : rule.equals("latency") ? 3 : rule.equals("saturation") ? 1 : 0.08;
                List<Series> series = new ArrayList<>();
                for (int s = 0; s < 1 + random.nextInt(3); s++) {
                    series.add(new Series(Map.of("pod", "p" + s, "zone", "z" + random.nextInt(2)),
                            Math.round(random.nextDouble() * scale * 1000) / 1000.0));
                }
                seen.put(rule, random.nextInt(10) == 0 ? new Observation.Values(List.of()) : new Observation.Values(series));
            }
        }
        return new Input.Observe(seen);
    }

    /** The same input with every map in it built in another order. */
    private static Input reordered(Input input, Random order) {
        if (input instanceof Input.Observe o) {
            List<String> keys = new ArrayList<>(o.seen().keySet());
            Collections.shuffle(keys, order);
            Map<String, Observation> seen = new LinkedHashMap<>();
            keys.forEach(k -> seen.put(k, reordered(o.seen().get(k), order)));
            return new Input.Observe(seen);
        }
        if (input instanceof Input.Register reg) {
            List<String> keys = new ArrayList<>(reg.release().labels().keySet());
            Collections.shuffle(keys, order);
            Map<String, String> labels = new LinkedHashMap<>();
            keys.forEach(k -> labels.put(k, reg.release().labels().get(k)));
            return new Input.Register(release(reg.release(), reg.release().id(), labels));
        }
        return input;
    }

    private static Observation reordered(Observation o, Random order) {
        if (!(o instanceof Observation.Values v)) {
            return o;
        }
        List<Series> totals = v.now().totals() == null ? null : reordered(v.now().totals(), order);
        return new Observation.Values(new Sample(reordered(v.series(), order), totals), v.references(), v.split(),
                v.minutes(), v.onset());
    }

    /** The same series, each with its labels put in another order. */
    private static List<Series> reordered(List<Series> all, Random order) {
        List<Series> series = new ArrayList<>();
        for (Series s : all) {
            List<String> keys = new ArrayList<>(s.labels().keySet());
            Collections.shuffle(keys, order);
            Map<String, String> labels = new LinkedHashMap<>();
            keys.forEach(k -> labels.put(k, s.labels().get(k)));
            series.add(new Series(labels, s.value()));
        }
        return series;
    }

    /** The release with a fixed id and these labels. */
    private static Release release(Release r, String id, Map<String, String> labels) {
        return new Release(id, r.service(), r.version(), r.previousVersion(), r.environment(), labels, r.window(), r.bake(),
                r.policy(), r.rollbackTarget(), r.state(), r.verdict(), r.startedAt(), r.bakeUntil(), r.windowUntil(),
                r.endedAt(), r.supersededBy());
    }
}
