package dev.watchdog.report;

import dev.watchdog.core.Release;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.Dora;
import dev.watchdog.store.Store;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The DORA figures of the releases registered since a moment, per service and environment, from the
 * store's releases and incidents, by the definitions of {@link Dora}: deployments, failed ones and
 * their rate, and the median and 90th percentile of time to detect, time to decide and recovery.
 */
public final class DoraReport {

    /** How many releases are read at most (newest first). */
    public static final int MAX_RELEASES = 10_000;

    private DoraReport() {}

    /** One service in one environment. */
    public record Row(String service, String environment, int deployments, int failed, @Nullable Double changeFailureRate,
                      Figure timeToDetect, Figure timeToDecide, Figure recovery) {}

    /** A duration's count, median and 90th percentile (nearest rank), in seconds; null without any. */
    public record Figure(int count, @Nullable Long medianSeconds, @Nullable Long p90Seconds) {
        static Figure of(List<Duration> all) {
            List<Long> s = all.stream().map(Duration::toSeconds).sorted().toList();
            return s.isEmpty() ? new Figure(0, null, null)
                    : new Figure(s.size(), s.get((s.size() - 1) / 2), s.get((int) Math.ceil(0.9 * s.size()) - 1));
        }
    }

    /** The report: the releases since {@code since}, read from the store. */
    public static Future<List<Row>> of(Store store, Instant since) {
        return store.list(Store.Filter.ALL, MAX_RELEASES).compose(all -> {
            List<Watch> within = all.stream().filter(w -> !w.release().startedAt().isBefore(since)).toList();
            List<Future<List<Incident>>> incidents = within.stream().map(w -> store.incidents(w.id())).toList();
            return Future.all(incidents).map(x -> {
                List<Item> items = new ArrayList<>();
                for (int i = 0; i < within.size(); i++) {
                    items.add(new Item(within.get(i), incidents.get(i).result()));
                }
                return rows(items);
            });
        });
    }

    /** A release and its incidents, oldest first. */
    record Item(Watch watch, List<Incident> incidents) {}

    static List<Row> rows(List<Item> items) {
        Map<String, List<Item>> groups = new TreeMap<>();
        items.forEach(i -> groups.computeIfAbsent(i.watch().release().service() + "\n"
                + i.watch().release().environment(), k -> new ArrayList<>()).add(i));
        List<Row> rows = new ArrayList<>();
        groups.forEach((key, group) -> rows.add(row(group)));
        return rows;
    }

    private static Row row(List<Item> group) {
        Release any = group.get(0).watch().release();
        int failed = (int) group.stream().filter(i -> Dora.failed(i.watch())).count();
        List<Duration> detect = new ArrayList<>();
        List<Duration> decide = new ArrayList<>();
        List<Duration> recovery = new ArrayList<>();
        for (Item i : group) {
            Release r = i.watch().release();
            i.incidents().stream().min(Comparator.comparingInt(Incident::number)).filter(Dora::first)
                    .ifPresent(inc -> detect.add(Dora.detect(r, inc)));
            i.incidents().forEach(inc -> Dora.decide(inc).ifPresent(decide::add));
            Dora.recovery(r, i.watch().rollback()).ifPresent(recovery::add);
        }
        return new Row(any.service(), any.environment(), group.size(), failed, (double) failed / group.size(),
                Figure.of(detect), Figure.of(decide), Figure.of(recovery));
    }
}
