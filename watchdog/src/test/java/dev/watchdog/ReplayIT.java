package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.prometheus.TemporaryPrometheus;
import dev.watchdog.rules.SeriesNotation;
import dev.watchdog.testing.Cli;
import dev.watchdog.testing.RealProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** watchdog replay over history backfilled into a real Prometheus: the timeline it prints, and when P1 and P0 came. */
class ReplayIT {

    static final Instant ORIGIN = Instant.parse("2026-03-01T00:00:00Z");
    static TemporaryPrometheus prometheus;

    @BeforeAll
    static void backfill() throws Exception {
        Map<String, String> series = new LinkedHashMap<>();
        series.put("http_requests_total{service=\"api\",status=\"200\"}", "0+1000x120");
        // Errors start at 01:12 at 3 % (P1 territory), and climb to 9 % from 01:32 (P0).
        series.put("http_requests_total{service=\"api\",status=\"500\"}", "0x71 0+30x20 600+90x28");
        prometheus = TemporaryPrometheus.start(TemporaryPrometheus.Binaries.find(
                        Path.of(RealProcess.binary("promtool", "prometheus")),
                        Path.of(RealProcess.binary("prometheus", "prometheus"))),
                SeriesNotation.openMetrics(series, ORIGIN, Duration.ofMinutes(1)));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    @DisplayName("prints each rule's outcomes as they changed and the first P1 and P0, and sends nothing")
    void timeline() {
        Cli.Result result = Cli.run("replay", "--prometheus", prometheus.url(),
                "--release", "service=api,version=1.4.0,start=2026-03-01T01:00:00Z,environment=production",
                "--for", "50m", "--interval", "1m", "../rules/golden-signals.yml");
        assertEquals(0, result.code(), result.out());
        List<String> lines = result.out().lines().toList();
        assertEquals("Replay of api 1.4.0 (production) from 2026-03-01T01:00:00Z to 2026-03-01T01:50:00Z; "
                + "nothing notified, nothing rolled back", lines.get(0));
        // The history is backfilled, so the timeline is exact.
        assertTrue(result.out().contains(String.join("\n",
                "error-rate (every 1m)",
                "  2026-03-01T01:00:00Z  T+0s       ok           0 %",
                "  2026-03-01T01:14:00Z  T+14m      pending      1.19 %",
                "  2026-03-01T01:16:00Z  T+16m      p1           2.34 %",
                "  2026-03-01T01:36:00Z  T+36m      pending      5.66 %",
                "  2026-03-01T01:38:00Z  T+38m      p0           8.26 %",
                "")), result.out());
        assertTrue(result.out().contains("latency-p95 (every 1m)\n"
                + "  2026-03-01T01:00:00Z  T+0s       inconclusive   traffic none below the minimum 100\n"), result.out());
        assertTrue(lines.contains("error-rate                   2026-03-01T01:16:00Z (T+16m)     2026-03-01T01:38:00Z (T+38m)"),
                result.out());
        // No latency series at all: the summary says so rather than "never", which a healthy rule would say.
        assertTrue(lines.contains("latency-p95                  no data                          no data"), result.out());
    }
}
