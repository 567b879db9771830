#!/usr/bin/env python3
"""Writes the corpus of release histories: one `watchdog test` file per case, beside this script.

Each case is a service's metrics around a release, minute by minute, with realistic noise (Poisson
counts, jittered latency and CPU) from a fixed seed, so that the files are the same on every run.
The expectations are the verdict the release criteria give:
  healthy  nothing reaches P1 (and the main rules are judged ok, not merely inconclusive);
  P1       P1 within `for` plus two evaluation intervals of the criterion's signal crossing, no P0;
  P0       P0 within `for` plus two intervals of the crossing, and no P0 before it.
A crossing is written in PromQL, apart from the rules, as the criteria state it.

Edit a case here and run `python3 rules/tests/corpus/generate.py`; never edit the .test.yml files.
"""
import math
import random
from pathlib import Path

OUT = Path(__file__).parent
LE = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8]
GIB = 1024 ** 3
MEM_LIMIT = 2 * GIB
DISK = 100 * GIB
DAY = 1440
INTERVAL = "15s"

# The criteria's signals, written apart from the rules (a crossing is the first evaluation where one returns something).
ERRORS = ('sum(rate(http_requests_total{service="api",status=~"5.."}[5m]))'
          ' / sum(rate(http_requests_total{service="api"}[5m]))')
P95 = 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="api"}[5m])))'
CPU = ('max(sum by (pod) (rate(container_cpu_usage_seconds_total{container="api"}[5m]))'
       ' / sum by (pod) (kube_pod_container_resource_limits{container="api",resource="cpu"}))')
MEMORY = ('max(sum by (pod) (container_memory_working_set_bytes{container="api"})'
          ' / sum by (pod) (kube_pod_container_resource_limits{container="api",resource="memory"}))')
DB = 'sum(rate(db_client_errors_total{service="api"}[5m])) / sum(rate(db_client_queries_total{service="api"}[5m]))'
LOGIN = ('sum(rate(http_requests_total{service="api",endpoint="/api/auth/login",status=~"5.."}[5m]))'
         ' / sum(rate(http_requests_total{service="api",endpoint="/api/auth/login"}[5m]))')


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def cumulative(median, sigma=0.45, tail=False):
    """Share of requests at or under each bucket bound: latency log-normal around median or, with a
    heavy tail, 90 % log-normal (sigma 0.4) and 10 % Pareto (shape 1.5) from twice the median."""
    if not tail:
        return [phi((math.log(le) - math.log(median)) / sigma) for le in LE]
    return [0.9 * phi((math.log(le) - math.log(median)) / 0.4) + 0.1 * (0 if le < 2 * median else 1 - (2 * median / le) ** 1.5)
            for le in LE]


def interpolated_p95(fractions):
    """What histogram_quantile(0.95, ...) reads from these bucket shares."""
    lower, below = 0.0, 0.0
    for le, f in zip(LE, fractions):
        if f >= 0.95:
            return lower + (le - lower) * (0.95 - below) / (f - below)
        lower, below = le, f
    return LE[-1]


def buckets_for(p95, tail=False):
    """Bucket shares whose interpolated p95 is the given one (bisection on the median)."""
    lo, hi = 1e-4, 10.0
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if interpolated_p95(cumulative(mid, tail=tail)) < p95:
            lo = mid
        else:
            hi = mid
    return cumulative(math.sqrt(lo * hi), tail=tail)


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def healthy(t, day):
    """A healthy service at minute t from the release (day -1: the same clock time yesterday)."""
    return {
        "rps": 40.0, "err": 0.0002, "p95": 0.2, "cpu": 0.35, "mem": 0.55, "up": 1, "scraped": True,
        "pod": "api-1", "reset": False, "login_share": 0.1, "login_err": 0.0005, "db_err": 0.0002,
        "users": 2000, "projects": 2.0, "ai": 1.0, "ai_err": 0.01, "login_fail": 0.3, "critical": 0.0,
        "pool": 0.3, "disk": 0.4, "ai_p95": 1.2, "probes": {"health": 1, "login": 1, "projects": 1},
        "probe_seconds": 0.15, "extra_errors": 0, "rps_noise": 0.03, "p95_noise": 0.04, "cpu_noise": 0.015,
        # Only the newer cases set these, so that the older files keep their random numbers:
        "canary": None, "canary_err": 1.0, "canary_p95": 1.0,  # a share of traffic on the new version; its errors, p95 x
        "tail": False, "sampled": False, "bursts": 0.0, "burst_size": 2.5,  # heavy tail; drawn buckets; slow minutes
    }


class Series:
    """Per-minute values of every series of one case; counters accumulate increments."""

    def __init__(self, minutes):
        self.minutes = minutes
        self.values = {}
        self.totals = {}

    def gauge(self, key, minute, value):
        self.values.setdefault(key, [None] * self.minutes)[minute] = value

    def counter(self, key, minute, increment, reset=False):
        total = 0.0 if reset else self.totals.get(key, 0.0)
        total += increment
        self.totals[key] = total
        self.gauge(key, minute, total)


def emit(series, minute, s, rng, today, t):
    """One minute of the service: its counters, gauges and histograms (on a reference day only what the
    rules compare with: requests, latency and the business metrics)."""
    reset, pod = s["reset"], s["pod"]
    requests = poisson(rng, s["rps"] * 60 * rng.lognormvariate(0, s["rps_noise"]))
    new = round(requests * s["canary"]) if s["canary"] is not None and today and t >= 0 else 0
    old_labels, new_labels = ("", None) if s["canary"] is None else ('version="1.9.0",', 'version="2.0.0",')
    http(series, minute, s, rng, pod, old_labels, requests - new, s["err"], reset)
    if new:
        http(series, minute, s, rng, "api-c", new_labels, new, s["err"] * s["canary_err"], reset)
    business(series, minute, s, rng)
    p95 = s["p95"] * rng.lognormvariate(0, s["p95_noise"])
    if s["bursts"] and rng.random() < s["bursts"]:
        p95 *= s["burst_size"]
    name = "http_request_duration_seconds"
    latency(series, minute, name, f'service="api",pod="{pod}"' + ("" if s["canary"] is None else ',version="1.9.0"'),
            requests - new, p95, reset, s, rng)
    if new:
        latency(series, minute, name, 'service="api",pod="api-c",version="2.0.0"', new, p95 * s["canary_p95"], reset, s, rng)
    if not today:
        return
    cpu = max(0.0, s["cpu"] + rng.gauss(0, s["cpu_noise"]))
    series.counter(f'container_cpu_usage_seconds_total{{container="api",pod="{pod}"}}', minute, round(cpu * 60, 2), reset)
    series.gauge(f'kube_pod_container_resource_limits{{container="api",pod="{pod}",resource="cpu"}}', minute, 1)
    series.gauge(f'kube_pod_container_resource_limits{{container="api",pod="{pod}",resource="memory"}}', minute, MEM_LIMIT)
    memory = min(1.0, max(0.0, s["mem"] + rng.gauss(0, 0.001)))
    series.gauge(f'container_memory_working_set_bytes{{container="api",pod="{pod}"}}', minute, round(memory * MEM_LIMIT))
    series.gauge(f'up{{job="api",instance="{pod}:8080"}}', minute, s["up"])
    queries = requests * 2
    series.counter(f'db_client_queries_total{{service="api",pod="{pod}"}}', minute, queries, reset)
    series.counter(f'db_client_errors_total{{service="api",pod="{pod}"}}', minute,
                   min(queries, poisson(rng, queries * s["db_err"])), reset)
    critical(series, minute, s, rng)
    probes(series, minute, s)


def http(series, minute, s, rng, pod, version, requests, err, reset):
    """Requests of one pod (and version) by endpoint and status; logins a share of them."""
    login = min(requests, poisson(rng, requests * s["login_share"]))
    extra = s["extra_errors"]
    requests += extra
    for endpoint, n, e in (("/api/projects", requests - login, err), ("/api/auth/login", login, s["login_err"])):
        errors = min(n, poisson(rng, (n - extra) * e) + extra)
        extra = 0
        base = f'http_requests_total{{service="api",pod="{pod}",{version}endpoint="{endpoint}",status='
        series.counter(base + '"200"}', minute, n - errors, reset)
        series.counter(base + '"500"}', minute, errors, reset)


def business(series, minute, s, rng):
    series.gauge('app_active_users{service="api"}', minute, poisson(rng, s["users"]))
    series.counter('app_projects_created_total{service="api"}', minute, poisson(rng, s["projects"] * 60))
    ai = poisson(rng, s["ai"] * 60)
    failed = min(ai, poisson(rng, ai * s["ai_err"]))
    series.counter('app_ai_requests_total{service="api",result="ok"}', minute, ai - failed)
    series.counter('app_ai_requests_total{service="api",result="error"}', minute, failed)
    series.counter('app_login_failures_total{service="api"}', minute, poisson(rng, s["login_fail"] * 60))


def critical(series, minute, s, rng):
    series.counter('app_critical_errors_total{service="api"}', minute, poisson(rng, s["critical"]))
    series.counter('db_connection_errors_total{service="api"}', minute, 0)
    series.gauge('db_client_connections_usage{service="api",pool_name="main",state="used"}', minute, round(s["pool"] * 20))
    series.gauge('db_client_connections_max{service="api",pool_name="main"}', minute, 20)
    labels = 'service="api",device="/dev/sda1",fstype="ext4",mountpoint="/data"'
    series.gauge(f'node_filesystem_size_bytes{{{labels}}}', minute, DISK)
    series.gauge(f'node_filesystem_avail_bytes{{{labels}}}', minute, round(DISK * (1 - s["disk"])))
    latency(series, minute, "llm_request_duration_seconds", 'service="api"', round(s["ai"] * 60), s["ai_p95"], False)


def probes(series, minute, s):
    for journey, success in s["probes"].items():
        series.gauge(f'probe_success{{service="api",journey="{journey}"}}', minute, success)
        series.gauge(f'probe_duration_seconds{{service="api",journey="{journey}"}}', minute, s["probe_seconds"])


def latency(series, minute, name, labels, requests, p95, reset, s=None, rng=None):
    """A histogram's buckets for one minute: the shares of a latency with this (interpolated) p95, as
    exact fractions, or drawn request by request (Poisson per bucket) for the cases that ask for it."""
    fractions = buckets_for(p95, tail=bool(s and s["tail"]))
    if s and s["sampled"]:
        counts, below = [], 0.0
        for f in fractions + [1.0]:
            counts.append(poisson(rng, requests * (f - below)))
            below = f
        total = sum(counts)
        cumulative_counts = [sum(counts[:i + 1]) for i in range(len(LE))]
    else:
        total = requests
        cumulative_counts = [math.floor(requests * f) for f in fractions]
    for le, c in zip(LE, cumulative_counts):
        series.counter(f'{name}_bucket{{{labels},le="{le}"}}', minute, c, reset)
    series.counter(f'{name}_bucket{{{labels},le="+Inf"}}', minute, total, reset)
    series.counter(f'{name}_count{{{labels}}}', minute, total, reset)


def number(v):
    if v is None:
        return "_"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.2f}".rstrip("0").rstrip(".")


def notation(values):
    """promtool's notation, with runs of a constant step as START+STEPxN and gaps as _xN."""
    tokens, i = [], 0
    while i < len(values):
        if values[i] is None:
            j = i
            while j < len(values) and values[j] is None:
                j += 1
            tokens.append("_" if j - i == 1 else f"_x{j - i}")
            i = j
            continue
        j = i + 1
        step = None
        while j < len(values) and values[j] is not None:
            d = round(values[j] - values[j - 1], 6)
            if step is None:
                step = d
            elif d != step:
                break
            j += 1
        run = j - i
        if run >= 3:
            sign = "+" if step >= 0 else "-"
            tokens.append(f"{number(values[i])}{sign}{number(abs(step))}x{run - 1}")
        else:
            tokens.extend(number(v) for v in values[i:j])
        i = j
    return " ".join(tokens)


def duration(minutes):
    minutes = round(minutes * 60) / 60
    out, m = "", int(minutes)
    for unit, size in (("d", DAY), ("h", 60), ("m", 1)):
        if m >= size:
            out += f"{m // size}{unit}"
            m %= size
    secs = round((minutes - int(minutes)) * 60)
    return (out + (f"{secs}s" if secs else "")) or "0s"


class Case:
    """A release history. `days`: the days before (1 for yesterday, 7, 14) whose same hours are there to
    compare with; `yesterday=True` is `days=(1,)`."""

    def __init__(self, name, title, verdict, model, expect, after=180, yesterday=False, before=66, seed=1, days=()):
        self.name, self.title, self.verdict, self.model = name, title, verdict, model
        self.expect, self.after, self.before, self.seed = expect, after, before, seed
        self.days = tuple(days) or ((1,) if yesterday else ())

    def release(self):
        return max(self.days) * DAY + 60 if self.days else self.before + 5

    def render(self):
        r = self.release()
        minutes = r + self.after + 1
        rng = random.Random(self.seed)
        series = Series(minutes)
        for minute in range(minutes):
            today = minute >= r - self.before
            day = next((d for d in self.days if r - d * DAY - 16 <= minute <= r - d * DAY + self.after), None)
            if today or day is not None:
                t = minute - r if today else minute - (r - day * DAY)
                s = healthy(t, 0 if today else -day)
                s.update(self.model(t, 0 if today else -day))
                emit(series, minute, s, rng, today, t)
                if not s["scraped"]:  # counting went on, but nobody scraped it
                    for values in series.values.values():
                        values[minute] = None
        lines = [f"# {self.title}", "# Generated by generate.py: edit the case there and run it again.",
                 f"# Verdict by the release criteria: {self.verdict}",
                 "rule_files: [../../*.yml]", f"evaluation_interval: {INTERVAL}", "tests:",
                 f"  - name: {self.name}", "    interval: 1m", "    input_series:"]
        for key in sorted(series.values):
            lines.append(f"      - series: '{key}'")
            lines.append(f"        values: '{notation(series.values[key])}'")
        lines.append(f"    release: {{service: api, version: 2.0.0, previousVersion: 1.9.0, at: {duration(r)}}}")
        lines.append("    expect:")
        for e in self.expect:
            lines.append("      - " + expectation(e, r))
        return "\n".join(lines) + "\n"


def expectation(e, r):
    """Times in an expectation are minutes from the release; the file counts from the first sample."""
    parts = []
    for key, value in e.items():
        if key in ("at", "from", "to", "by"):
            value = duration(r + value)
        elif key == "within":
            value = duration(value)
        elif key == "crossing":
            value = "'" + value + "'"
        parts.append(f"{key}: {value}")
    return "{" + ", ".join(parts) + "}"


def judged_ok(at, *rules):
    """Judged, and ok: not merely inconclusive (rules judged from T+30m only after it)."""
    return [{"rule": rule, "at": at, "outcome": "ok"} for rule in rules if at > 35 or not rule.startswith("healthy-")]


def cycle(t, amplitude=0.35, peak=14 * 60, at=10 * 60):
    """A daily traffic cycle: the release at clock time `at`, the peak at `peak`."""
    return 1 + amplitude * math.cos(2 * math.pi * (at + t - peak) / DAY)


HEALTHY_RULES = ("error-rate", "latency-p95", "cpu", "memory", "service-down", "db-errors", "availability-slo",
                 "healthy-error-rate", "healthy-latency-p95", "smoke-health", "smoke-journeys",
                 "login-errors", "disk", "db-pool")
DAILY_RULES = ("throughput-vs-yesterday", "projects-created", "active-users", "ai-requests", "failed-logins",
               "latency-vs-baseline")
THREE_DAYS = (1, 7, 14)
P95_RULE = "latency-vs-baseline"


def daily(t, amplitude=0.35, peak=14 * 60, at=10 * 60):
    """Traffic, CPU and business metrics following a daily cycle, the release at clock time `at`."""
    load = cycle(t, amplitude, peak, at)
    return {"rps": 40 * load, "cpu": 0.3 * load, "users": 2000 * load, "projects": 2 * load, "ai": load,
            "login_fail": 0.3 * load}


def after(t, start, values, before=None):
    """`values` from minute `start` after the release on (today only), else `before` (or nothing)."""
    return values if t >= start else (before or {})


def today(model):
    """The model today; yesterday is healthy."""
    return lambda t, d: model(t) if d == 0 else {}


def ramp(t, start, end, a, b):
    return a if t < start else b if t >= end else a + (b - a) * (t - start) / (end - start)


CASES = [
    Case("healthy-with-noise-and-a-daily-cycle",
         "A healthy release at 10:00 on a day like yesterday: Poisson counts, jittered latency and CPU, traffic rising to its 14:00 peak.",
         "healthy", lambda t, d: daily(t),
         [{"never": "p1", "to": 180}, *judged_ok(90, *HEALTHY_RULES, *DAILY_RULES)], yesterday=True, seed=11),
    Case("healthy-at-the-morning-ramp",
         "A healthy release at 07:00 as traffic climbs 35 % in three hours, yesterday alike; p95 and CPU rise with the load.",
         "healthy", lambda t, d: {**daily(t, 0.5, 13 * 60, 7 * 60),
                                  "p95": 0.18 * cycle(t, 0.5, 13 * 60, 7 * 60) ** 0.8,
                                  "cpu": 0.35 * cycle(t, 0.5, 13 * 60, 7 * 60)},
         [{"never": "p1", "to": 180}, *judged_ok(170, *HEALTHY_RULES, *DAILY_RULES)], yesterday=True, seed=12),
    Case("burst-at-rollout",
         "A 30 s burst of errors (a quarter of requests) three minutes after the deploy: the 5-minute error rate peaks near 2.3 %.",
         "P1 at most (the 5-minute error rate is over 1 % for a few minutes), never a rollback",
         today(lambda t: after(t, 4, {"err": 0.12}) if t < 5 else {}),
         [{"never": "p0", "to": 60}, {"rule": "availability-slo", "never": "p1", "to": 60},
          {"rule": "error-rate", "at": 30, "outcome": "ok"}, {"rule": "availability-slo", "at": 30, "outcome": "ok"}],
         after=60, seed=13),
    Case("burst-after-the-bake",
         "One minute of 8 % errors at T+45m, then healthy.",
         "P1 at most, never a rollback; the availability SLO does not page on one burst",
         today(lambda t: {"err": 0.08} if t == 46 else {}),
         [{"never": "p0", "to": 90}, {"rule": "availability-slo", "never": "p1", "to": 90},
          {"rule": "error-rate", "at": 75, "outcome": "ok"}], after=90, seed=14),
    Case("errors-2pct-sustained",
         "2 % errors from T+5m on: over the 1 % of a P1, under the 5 % of a rollback.",
         "P1, never P0 (the availability SLO pages too, at 20x, and does not roll back)",
         today(lambda t: after(t, 6, {"err": 0.02})),
         [{"crossing": ERRORS + " > 0.01", "reach": "p1", "within": 2.5}, {"never": "p0", "to": 120},
          {"rule": "availability-slo", "reach": "p1", "by": 25}], after=120, seed=15),
    Case("errors-8pct-from-t10m",
         "8 % errors from T+10m on.",
         "P0 within 2m30s of the 5-minute error rate crossing 5 %",
         today(lambda t: after(t, 11, {"err": 0.08})),
         [{"crossing": ERRORS + " > 0.05", "reach": "p0", "within": 2.5}, {"never": "p0", "to": 10}],
         after=40, seed=16),
    Case("errors-20pct-from-the-start",
         "A release that fails a fifth of its requests from the first minute.",
         "P0 within 2m30s of the 5-minute error rate crossing 5 %",
         today(lambda t: after(t, 1, {"err": 0.2})),
         [{"crossing": ERRORS + " > 0.05", "reach": "p0", "within": 2.5}], after=30, seed=17),
    Case("slow-burn-0.7pct",
         "0.7 % errors from the release on: under the 1 % of a P1, over the 0.1 % of healthy at T+30m.",
         "P1 (not healthy at T+30m; the SLO's 6x slow burn), never P0",
         today(lambda t: after(t, 1, {"err": 0.007})),
         [{"never": "p0", "to": 90}, {"rule": "error-rate", "never": "p1", "to": 90},
          {"rule": "healthy-error-rate", "reach": "p1", "by": 35.25}, {"rule": "availability-slo", "reach": "p1", "by": 62.25}],
         after=90, seed=18),
    Case("latency-creep",
         "p95 creeps from 200 ms at T+10m to 2.6 s at T+70m.",
         "P1 within 2m30s of p95 crossing 1 s, P0 within 2m30s of it crossing 2 s, and no rollback before",
         today(lambda t: {"p95": ramp(t, 10, 70, 0.2, 2.6), "p95_noise": 0.02}),
         [{"crossing": P95 + " > 1", "reach": "p1", "within": 2.5}, {"crossing": P95 + " > 2", "reach": "p0", "within": 2.5}],
         after=80, seed=19),
    Case("low-traffic-three-errors",
         "A service at 0.05 requests/s; three of its requests fail between T+2m and T+4m.",
         "healthy: three errors on a quiet service are too few to judge, and roll nothing back",
         today(lambda t: {"rps": 0.05, "cpu": 0.05, "mem": 0.3, "users": 3, "projects": 0.001, "ai": 0.001,
                          "login_fail": 0.001, **({"extra_errors": 1} if 3 <= t <= 5 else {})}),
         [{"never": "p1", "to": 60}, {"rule": "error-rate", "at": 5, "outcome": "inconclusive"},
          {"rule": "availability-slo", "at": 15, "outcome": "inconclusive"}, {"rule": "cpu", "at": 30, "outcome": "ok"}],
         after=60, seed=20),
    Case("quiet-service-against-yesterday",
         "A healthy service at 0.5 requests/s, yesterday alike: its counts over a few minutes move by chance by more than 5 %.",
         "healthy: counted since the release, its requests stay within chance of yesterday's, never a breach",
         lambda t, d: {"rps": 0.5, "users": 40, "projects": 0.05, "ai": 0.02, "login_fail": 0.01},
         [{"never": "p1", "to": 180}, {"rule": "throughput-vs-yesterday", "at": 70, "outcome": "ok"},
          {"rule": "error-rate", "at": 60, "outcome": "ok"}, {"rule": "availability-slo", "at": 60, "outcome": "ok"}],
         yesterday=True, seed=21),
    Case("service-down",
         "Every instance stops answering at T+20m: scrapes fail, no requests, the health probe fails.",
         "P0 within 1m30s of up dropping to 0 (service unavailable)",
         today(lambda t: after(t, 20, {"up": 0, "rps": 0, "probes": {"health": 0, "login": 0, "projects": 0}})),
         [{"crossing": 'max(up{job="api"}) < 1', "reach": "p0", "within": 1.5}], after=40, seed=22),
    Case("cpu-saturation",
         "CPU jumps from 40 % to 98 % of its limit at T+15m.",
         "P1 within 5m30s of CPU crossing 80 %, P0 within 5m30s of it crossing 95 %, no rollback before",
         today(lambda t: {"cpu": 0.98 if t >= 16 else 0.4}),
         [{"crossing": CPU + " > 0.8", "reach": "p1", "within": 5.5}, {"crossing": CPU + " > 0.95", "reach": "p0", "within": 5.5}],
         after=45, seed=23),
    Case("cpu-high-but-steady",
         "CPU settles at 88 % of its limit from T+10m.",
         "P1 (a monitoring alert over 80 %), never P0",
         today(lambda t: {"cpu": 0.88 if t >= 11 else 0.4}),
         [{"crossing": CPU + " > 0.8", "reach": "p1", "within": 5.5}, {"never": "p0", "to": 60}], after=60, seed=24),
    Case("memory-leak",
         "Memory grows 0.4 % of the limit a minute from 55 % at the release.",
         "P1 within 5m30s of memory crossing 85 %, P0 within 2m30s of it crossing 95 %, no rollback before",
         today(lambda t: {"mem": 0.55 + 0.004 * max(0, t)}),
         [{"crossing": MEMORY + " > 0.85", "reach": "p1", "within": 5.5},
          {"crossing": MEMORY + " > 0.95", "reach": "p0", "within": 2.5}], after=110, seed=25),
    Case("memory-high-but-steady",
         "Memory settles at 88 % of its limit from T+5m.",
         "P1 (a monitoring alert over 85 %), never P0",
         today(lambda t: {"mem": 0.88 if t >= 5 else 0.6}),
         [{"crossing": MEMORY + " > 0.85", "reach": "p1", "within": 5.5}, {"never": "p0", "to": 45}], after=45, seed=26),
    Case("counter-resets",
         "Healthy, but the pod restarts at T+1m (every counter back to 0) and is replaced by a new pod at T+30m.",
         "healthy",
         today(lambda t: {"reset": t == 1, "pod": "api-2" if t >= 30 else "api-1"}),
         [{"never": "p1", "to": 120}, *judged_ok(25, *HEALTHY_RULES), *judged_ok(60, *HEALTHY_RULES)],
         after=120, seed=27),
    Case("scrape-gaps",
         "Healthy, but Prometheus misses 3 minutes of scrapes at T+10m, 8 minutes at T+40m, and single scrapes now and then.",
         "healthy (nothing to judge while there is no data)",
         today(lambda t: {"scraped": not (10 <= t < 13 or 40 <= t < 48 or t in (5, 22, 61, 77))}),
         [{"never": "p1", "to": 120}, {"rule": "error-rate", "at": 47, "outcome": "inconclusive"},
          *judged_ok(70, *HEALTHY_RULES)], after=120, seed=28),
    Case("seasonal-dip-seen-yesterday",
         "Traffic and business fall by 40 % from T-10m to T+50m (lunch), as they did the day before.",
         "healthy",
         lambda t, d: {"rps": 40 * (0.6 if -10 <= t < 50 else 1), "users": 2000 * (0.6 if -10 <= t < 50 else 1),
                       "projects": 2 * (0.6 if -10 <= t < 50 else 1), "ai": 0.6 if -10 <= t < 50 else 1},
         [{"never": "p1", "to": 120}, *judged_ok(30, *DAILY_RULES), *judged_ok(70, *DAILY_RULES)],
         yesterday=True, seed=29),
    Case("business-drop",
         "Projects created and AI generations fall by 40 % from T+10m; every technical signal stays healthy.",
         "P1 within 15m30s of projects created falling 20 % under yesterday's, never P0",
         lambda t, d: after(t, 10, {"projects": 1.2, "ai": 0.6}) if d == 0 else {},
         [{"crossing": 'sum(rate(app_projects_created_total{service="api"}[15m]))'
                       ' < 0.8 * sum(rate(app_projects_created_total{service="api"}[15m] offset 1d))',
           "reach": "p1", "within": 15.5}, {"never": "p0", "to": 90}, {"rule": "ai-requests", "reach": "p1", "by": 45}],
         after=90, yesterday=True, seed=30),
    Case("pre-existing-slow-service",
         "p95 has been 1.3 s for days, and stays so after the release.",
         "P1 (p95 over 1 s), which the team may accept as known; never P0, and no worse than its baseline",
         lambda t, d: {"p95": 1.3},
         [{"rule": "latency-p95", "reach": "p1", "by": 2.5}, {"rule": "latency-vs-baseline", "never": "p1", "to": 90},
          {"never": "p0", "to": 90}], after=90, seed=31),
    Case("database-errors",
         "3 % of database queries fail from T+10m; the service hides most of them.",
         "P0 within 2m30s of the database error rate crossing 1 %",
         today(lambda t: after(t, 11, {"db_err": 0.03})),
         [{"crossing": DB + " > 0.01", "reach": "p0", "within": 2.5}], after=30, seed=32),
    Case("login-broken",
         "40 % of logins fail with a 5xx from T+5m; logins are 5 % of the traffic (2 % errors overall).",
         "P1 within 2m30s of the login error rate crossing 5 % (users cannot log in), never P0",
         today(lambda t: {"login_share": 0.05, **after(t, 6, {"login_err": 0.4})}),
         [{"crossing": LOGIN + " > 0.05", "reach": "p1", "within": 2.5}, {"never": "p0", "to": 60}], after=60, seed=33),
    Case("smoke-journey-fails",
         "The login journey's probe fails from T+10m; the health endpoint answers.",
         "P1 within 2m30s of the probe failing (a critical function fails), never P0",
         today(lambda t: after(t, 10, {"probes": {"health": 1, "login": 0, "projects": 1}})),
         [{"crossing": 'min(probe_success{service="api",journey="login"}) < 1', "reach": "p1", "within": 2.5},
          {"never": "p0", "to": 40}], after=40, seed=34),
    Case("smoke-health-fails",
         "The health endpoint's probe fails from T+10m.",
         "P0 within 1m30s of the probe failing (service unavailable)",
         today(lambda t: after(t, 10, {"probes": {"health": 0, "login": 1, "projects": 1}})),
         [{"crossing": 'max(probe_success{service="api",journey="health"}) < 1', "reach": "p0", "within": 1.5}],
         after=30, seed=35),
    Case("healthy-but-noisy",
         "A healthy release whose traffic jumps by 10 % and p95 by 12 % from minute to minute, CPU by 5 points.",
         "healthy",
         lambda t, d: {**daily(t), "rps_noise": 0.1, "p95_noise": 0.12, "cpu_noise": 0.05},
         # Its p95 varies 12 % a minute: the test weighs two hours' 356,000 requests as 795 (divided by their
         # dispersion, 448), under minSample, so the p95 rule is inconclusive there, never a page.
         [{"never": "p1", "to": 180}, *judged_ok(120, *HEALTHY_RULES, *DAILY_RULES[:-1]),
          {"rule": P95_RULE, "at": 120, "outcome": "inconclusive"}], yesterday=True, seed=36),
    Case("errors-6pct-from-t5m",
         "6 % errors from T+5m: just over the rollback line.",
         "P0 within 2m30s of the 5-minute error rate crossing 5 %",
         today(lambda t: after(t, 6, {"err": 0.06})),
         [{"crossing": ERRORS + " > 0.05", "reach": "p0", "within": 2.5}], after=40, seed=37),
    Case("errors-3pct-from-t5m",
         "3 % errors from T+5m: a P1, well under the rollback line.",
         "P1 within 2m30s of the 5-minute error rate crossing 1 %, never P0",
         today(lambda t: after(t, 6, {"err": 0.03})),
         [{"crossing": ERRORS + " > 0.01", "reach": "p1", "within": 2.5}, {"never": "p0", "to": 120}],
         after=120, seed=38),
    Case("latency-step-to-2.5s",
         "p95 jumps from 200 ms to 2.5 s at T+20m.",
         "P0 within 2m30s of p95 crossing 2 s, none before",
         today(lambda t: after(t, 21, {"p95": 2.5})),
         [{"crossing": P95 + " > 2", "reach": "p0", "within": 2.5}], after=40, seed=39),
    Case("cold-start-at-rollout",
         "The new pods start cold: p95 1.4 s and CPU at 100 % for the first two minutes, then healthy.",
         "P1 at most (p95 over 1 s for a few minutes), never P0",
         today(lambda t: {"p95": 1.4, "cpu": 1.0} if 1 <= t <= 2 else {}),
         [{"never": "p0", "to": 60}, {"rule": "latency-p95", "at": 20, "outcome": "ok"},
          {"rule": "cpu", "at": 20, "outcome": "ok"}], after=60, seed=40),
    Case("restart-blip",
         "The single instance restarts at T+1m: one failed scrape (up 0) and counters back to 0.",
         "healthy",
         today(lambda t: {"up": 0, "rps": 0} if t == 1 else {"reset": t == 2}),
         [{"never": "p1", "to": 60}, *judged_ok(30, *HEALTHY_RULES)], after=60, seed=41),
    Case("p95-up-10pct-at-40rps",
         "A release makes every request about 10 % slower: p95 200 ms to 220 ms at 40 requests/s, latencies drawn request by request, jittered minute to minute; 1, 7 and 14 days earlier alike.",
         "P1 within 20 minutes: p95 over the baseline + 10 % (the release criteria's automatic health check)",
         lambda t, d: {**daily(t), "sampled": True, "p95": 0.2 * (1.1 if d == 0 and t >= 0 else 1)},
         [{"rule": P95_RULE, "reach": "p1", "by": 20}, {"never": "p0", "to": 60}], after=60, days=THREE_DAYS, seed=42),
    Case("p95-up-25pct-at-40rps",
         "A release makes p95 25 % slower (200 ms to 250 ms) at 40 requests/s; 1, 7 and 14 days earlier alike.",
         "P1 within 20 minutes (the criteria's escalation alert: response time degraded)",
         lambda t, d: {**daily(t), "sampled": True, "p95": 0.2 * (1.25 if d == 0 and t >= 0 else 1)},
         [{"rule": P95_RULE, "reach": "p1", "by": 10}, {"never": "p0", "to": 60}], after=60, days=THREE_DAYS, seed=43),
    Case("healthy-heavy-tailed-bursty-with-a-daily-cycle",
         "A healthy release at 07:00: heavy-tailed latencies drawn request by request, one minute in 30 two and a half times slower, p95 rising with the morning's traffic; 1, 7 and 14 days earlier alike.",
         "healthy",
         lambda t, d: {**daily(t, 0.5, 13 * 60, 7 * 60), "tail": True, "sampled": True, "bursts": 1 / 30,
                       "p95": 0.2 * cycle(t, 0.5, 13 * 60, 7 * 60) ** 0.8, "p95_noise": 0.08},
         [{"never": "p1", "to": 180}, *judged_ok(170, *HEALTHY_RULES, *DAILY_RULES)], days=THREE_DAYS, seed=44),
    Case("canary-twice-the-errors",
         "A canary with 10 % of 400 requests/s fails 0.12 % of its requests, twice the previous version's 0.06 %: 0.066 % overall, under every absolute threshold.",
         "P1 (the canary's errors against the previous version's), never P0",
         today(lambda t: {"rps": 400, "err": 0.0006, "canary": 0.1, "canary_err": 2.0, "login_err": 0.0006}),
         [{"rule": "canary-error-rate", "reach": "p1", "by": 90}, {"never": "p0", "to": 120}], after=120, seed=45),
    Case("canary-p95-up-30pct",
         "A canary with 10 % of 40 requests/s answers 30 % slower than the previous version (p95 260 ms against 200 ms).",
         "P1 (the canary's p95 against the previous version's), never P0",
         today(lambda t: {"sampled": True, "canary": 0.1, "canary_p95": 1.3}),
         [{"rule": P95_RULE, "reach": "p1", "by": 30}, {"never": "p0", "to": 60}], after=60, seed=46),
    Case("canary-healthy-while-the-service-is-slow",
         "A canary with 10 % of the traffic; from T+10m every request of both versions is 75 % slower (p95 350 ms, a slow database), which yesterday was not.",
         "healthy: the canary is as fast as the previous version beside it, and the slowness is no cause for the release",
         lambda t, d: {"sampled": True, "canary": 0.1, **({"p95": 0.35} if d == 0 and t >= 10 else {})},
         [{"never": "p1", "to": 120}, {"rule": P95_RULE, "at": 60, "outcome": "ok"}], after=120, yesterday=True, seed=47),
    Case("a-reference-day-with-an-incident",
         "A healthy release; yesterday at the same hours half the traffic, projects and AI generations were lost and p95 doubled (an incident); 7 and 14 days earlier were normal.",
         "healthy: the median of the three days sets the odd day aside, so no fall or rise is invented",
         lambda t, d: {**daily(t), "sampled": True,
                       **({"rps": 20, "projects": 1, "ai": 0.5, "p95": 0.4} if d == -1 and -20 <= t <= 130 else {})},
         [{"never": "p1", "to": 120}, *judged_ok(110, *DAILY_RULES)], after=120, days=THREE_DAYS, seed=48),
    Case("a-fall-hidden-by-yesterdays-incident",
         "Projects created and AI generations fall by 40 % from the release on; yesterday an incident had lost as many at the same hours; 7 and 14 days earlier were normal.",
         "P1: against yesterday alone the fall would be hidden; against the median of the three days it is not",
         lambda t, d: {**daily(t),
                       **({"projects": 1.2, "ai": 0.6} if (d == 0 and t >= 0) or (d == -1 and -20 <= t <= 130) else {})},
         [{"rule": "projects-created", "reach": "p1", "by": 30}, {"rule": "ai-requests", "reach": "p1", "by": 60},
          {"never": "p0", "to": 90}], after=90, days=THREE_DAYS, seed=49),
]

if __name__ == "__main__":
    for case in CASES:
        (OUT / f"{case.name}.test.yml").write_text(case.render())
        print("wrote", case.name)
