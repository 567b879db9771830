package dev.watchdog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads every daemon's tick count and time, rows written and releases judged once a second (a light
 * scrape, {@code /metrics?name[]=...}) while FleetBench measures, and scrapes the whole of /metrics
 * every {@code wholeEvery} seconds, as a Prometheus scraping the daemon at that interval would:
 * each tick's duration, the largest resident set, bytes allocated, and how long each whole scrape
 * took. (Whole scrapes once a second cost a daemon of 10,000 releases about 3 % of a core by themselves.)
 */
final class Sampler {

    private final List<FleetDaemon> daemons;
    private final int wholeEvery;
    private final List<FleetDaemon.Sample> first = new ArrayList<>();
    private final List<FleetDaemon.Sample> last = new CopyOnWriteArrayList<>();
    /** Each daemon's latest whole scrape (the first is whole too): bytes allocated are read with those. */
    private final List<FleetDaemon.Sample> lastWhole = new CopyOnWriteArrayList<>();
    private final List<Double> tickSeconds = new CopyOnWriteArrayList<>();
    private final List<Double> scrapes = new CopyOnWriteArrayList<>();
    private volatile double maxRss;
    private int seconds;
    private final ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleet-sampler");
        t.setDaemon(true);
        return t;
    });

    Sampler(List<FleetDaemon> daemons, int wholeEvery) {
        this.daemons = daemons;
        this.wholeEvery = wholeEvery;
        daemons.forEach(d -> {
            FleetDaemon.Sample s = d.sample(true);
            first.add(s);
            last.add(s);
            lastWhole.add(s);
        });
        every.scheduleWithFixedDelay(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        boolean whole = ++seconds % wholeEvery == 0;
        for (int i = 0; i < daemons.size(); i++) {
            FleetDaemon.Sample now = daemons.get(i).sample(whole);
            FleetDaemon.Sample before = last.get(i);
            double ticks = now.count() - before.count();
            if (ticks > 0) {
                tickSeconds.add((now.sum() - before.sum()) / ticks);
            }
            last.set(i, now);
            if (whole) {
                lastWhole.set(i, now);
                scrapes.add(now.scrapeSeconds());
            }
            maxRss = Math.max(maxRss, now.rssMiB());
        }
    }

    void stop() throws InterruptedException {
        every.shutdown();
        every.awaitTermination(1, TimeUnit.MINUTES);
    }

    /** The fewest ticks any daemon completed since sampling began. */
    int ticks() {
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < daemons.size(); i++) {
            fewest = Math.min(fewest, (int) (last.get(i).count() - first.get(i).count()));
        }
        return fewest;
    }

    /** Ticks completed by all daemons together since sampling began. */
    double allTicks() {
        double n = 0;
        for (int i = 0; i < daemons.size(); i++) {
            n += last.get(i).count() - first.get(i).count();
        }
        return n;
    }

    double meanTick() {
        double sum = 0;
        for (int i = 0; i < daemons.size(); i++) {
            sum += last.get(i).sum() - first.get(i).sum();
        }
        return sum / allTicks();
    }

    /**
     * Bytes allocated per tick, over every daemon (by all their threads, ticks and the scrapes alike),
     * between each one's first and latest whole scrape.
     */
    double allocatedPerTick() {
        double bytes = 0;
        double ticks = 0;
        for (int i = 0; i < daemons.size(); i++) {
            bytes += lastWhole.get(i).allocated() - first.get(i).allocated();
            ticks += lastWhole.get(i).count() - first.get(i).count();
        }
        return bytes / ticks;
    }

    double maxTick() {
        return tickSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Release rows written by all daemons, per interval. */
    double rowsPerInterval(double intervals) {
        double rows = 0;
        for (int i = 0; i < daemons.size(); i++) {
            rows += last.get(i).writes() - first.get(i).writes();
        }
        return rows / intervals;
    }

    /** Releases judged by all daemons, per interval: the fleet's size if each is judged once an interval. */
    double judgedPerInterval(double intervals) {
        double judged = 0;
        for (int i = 0; i < daemons.size(); i++) {
            judged += last.get(i).judged() - first.get(i).judged();
        }
        return judged / intervals;
    }

    double maxRss() {
        return maxRss;
    }

    /** The scrape time at quantile {@code q} (0.5 the median, 1 the longest). */
    double scrape(double q) {
        List<Double> sorted = new ArrayList<>(scrapes);
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
    }
}
