package dev.watchdog;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealProcess;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.jspecify.annotations.Nullable;

/** One daemon of FleetBench, started by the launcher: its metrics, CPU, heap and resident set, read from outside. */
final class FleetDaemon {

    /**
     * What one scrape of /metrics said, and how long it took; {@code allocated}: the bytes the daemon's
     * threads have allocated so far (read over JMX just before a whole scrape; NaN for a light one).
     */
    record Sample(double count, double sum, double writes, double judged, double allocated, double scrapeSeconds,
                  double rssMiB) {}

    /** What a light scrape asks for: the tick's count and time, rows written, releases judged. */
    private static final String LIGHT = "/metrics?name[]=watchdog_evaluation_duration_seconds"
            + "&name[]=watchdog_store_release_writes_total&name[]=watchdog_judged_releases_total";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final String url;
    private final RealProcess process;
    private com.sun.management.@Nullable ThreadMXBean threads;

    private FleetDaemon(String name, String url, RealProcess process) {
        this.name = name;
        this.url = url;
        this.process = process;
    }

    /** Writes its config ({@code {port}} filled in) beside the rules, starts it, and waits until it is ready. */
    static FleetDaemon start(Path dir, String name, String config, String javaOpts) {
        try {
            int port = RealProcess.freePort();
            Path file = Files.writeString(dir.resolve((name.isEmpty() ? "watchdog" : name) + ".yml"),
                    config.replace("{port}", String.valueOf(port)));
            FleetDaemon d = new FleetDaemon(name, "http://127.0.0.1:" + port, FleetBench.launch(dir, name, file, javaOpts));
            Poll.until(Duration.ofSeconds(90), name + " to be ready", () -> d.status("/readyz") == 200);
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    String url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    void stop() {
        process.stop();
    }

    int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** A light scrape of /metrics (the few metrics the bench reads), as often as the bench likes. */
    Sample sample() {
        return sample(false);
    }

    /** A scrape of /metrics, timed: {@code whole}, everything, as Prometheus scrapes it; otherwise light. */
    Sample sample(boolean whole) {
        try {
            double allocated = whole ? allocated() : Double.NaN;
            long started = System.nanoTime();
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(url + (whole ? "/metrics" : LIGHT)))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()).body();
            double took = (System.nanoTime() - started) / 1e9;
            return new Sample(FleetBench.sample(text, "watchdog_evaluation_duration_seconds_count"),
                    FleetBench.sample(text, "watchdog_evaluation_duration_seconds_sum"),
                    FleetBench.sample(text, "watchdog_store_release_writes_total"),
                    FleetBench.sample(text, "watchdog_judged_releases_total"), allocated, took, rssMiB());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Bytes allocated by the daemon's live threads so far (its event loops, workers and pools live as
     * long as it does), from its ThreadMXBean over a local JMX connection made by the attach API:
     * exact, where the JVM's metrics count allocation only at each collection.
     */
    double allocated() {
        try {
            if (threads == null) {
                VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid()));
                String address = vm.startLocalManagementAgent();
                vm.detach();
                MBeanServerConnection connection = JMXConnectorFactory.connect(new JMXServiceURL(address))
                        .getMBeanServerConnection();
                threads = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.THREAD_MXBEAN_NAME,
                        com.sun.management.ThreadMXBean.class);
            }
            long sum = 0;
            for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                sum += Math.max(0, bytes);
            }
            return sum;
        } catch (IOException | AttachNotSupportedException e) {
            return Double.NaN;
        }
    }

    /** User and system CPU, in seconds, from /proc (clock ticks of 1/100 s). */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    double rssMiB() {
        try {
            Matcher m = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc", String.valueOf(pid()),
                    "status")));
            return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** A full GC, then the heap in use, both by jcmd. */
    double heapAfterGc() {
        jcmd("GC.run");
        long used = 0;
        boolean any = false;
        String info = jcmd("GC.heap_info");
        Matcher g1 = Pattern.compile("garbage-first heap\\s+total \\d+K, used (\\d+)K").matcher(info);
        if (g1.find()) {
            return Long.parseLong(g1.group(1)) / 1024.0;
        }
        // Serial and Parallel: the generations' uses, summed (young, then old; metaspace lines left out).
        Matcher gen = Pattern.compile("(?m)^ ?(?:def new generation|tenured generation|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K")
                .matcher(info);
        while (gen.find()) {
            used += Long.parseLong(gen.group(1));
            any = true;
        }
        return any ? used / 1024.0 : Double.NaN;
    }

    String jcmd(String command) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid()), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
