#!/usr/bin/env bash
# The watchdog's main job, end to end on this machine: a real Prometheus scrapes a demo service,
# a deploy registers a release, the service starts failing, and the watchdog rolls it back.
# Run from anywhere: watchdog/demo/run.sh. Needs Java 17, Maven (to build the jar once) and Prometheus.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUN=$ROOT/watchdog/demo/.run
WATCHDOG=$ROOT/watchdog/bin/watchdog   # the launcher; it execs java, so $! below is the JVM's PID

command -v prometheus >/dev/null || {
  echo "demo: prometheus is not installed; run: apt-get install -y --no-install-recommends prometheus" >&2; exit 1; }
[ -f watchdog/target/watchdog.jar ] || mvn -q -B -DskipTests package
rm -rf "$RUN" && mkdir -p "$RUN"

export DEMO_DEPLOYER_TOKEN=demo-deployer-$RANDOM$RANDOM
export DEMO_VIEWER_TOKEN=demo-viewer-$RANDOM$RANDOM
export DEMO_ROLLBACK_SECRET=whsec_$(head -c 24 /dev/urandom | base64)
export WATCHDOG_URL=http://127.0.0.1:18080 WATCHDOG_TOKEN=$DEMO_DEPLOYER_TOKEN
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Poll until a command succeeds, for at most $1 seconds.
await() { local t=$1; shift; for _ in $(seq $((t * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "demo: timed out waiting for: $*" >&2; return 1; }

echo "== starting the demo service (200 req/s, 0% errors), Prometheus (1s scrapes) and the watchdog"
"$WATCHDOG" demo-service --listen 127.0.0.1:19101 >"$RUN/service.log" 2>&1 & pids+=($!)
prometheus --config.file=watchdog/demo/prometheus.yml --storage.tsdb.path="$RUN/prometheus" \
  --web.listen-address=127.0.0.1:19090 >"$RUN/prometheus.log" 2>&1 & pids+=($!)
"$WATCHDOG" run --config watchdog/demo/watchdog.yml 2>"$RUN/watchdog.log" & pids+=($!)
await 30 curl -sf http://127.0.0.1:18080/readyz
await 30 bash -c "curl -s 'http://127.0.0.1:19090/api/v1/query?query=up' | grep -q '\"1\"\]'"
await 30 bash -c "curl -s 'http://127.0.0.1:19090/api/v1/query?query=sum(rate(http_requests_total%5B10s%5D))' | grep -q value"

echo "== a deploy script registers release 1.4.0 of the demo service"
ID=$("$WATCHDOG" release start --service demo --version 1.4.0 --previous-version 1.3.2 \
      --environment production --window 1h --bake 10m --quiet)
echo "registered $ID"
await 20 bash -c "'$WATCHDOG' release show $ID -o json | grep -q '\"outcome\" : \"ok\"'"
echo "error-rate is ok; now the new version starts failing 10% of requests"
curl -sf -X POST 'http://127.0.0.1:19101/control?errorRatio=0.10' >/dev/null

echo "== the deploy script waits for the verdict (exit 0 healthy, 1 rolled back, 2 undecided)"
set +e
"$WATCHDOG" release wait "$ID" --timeout 2m
code=$?
set -e
echo "watchdog release wait exited $code"
echo "== the release as 'watchdog release show' prints it"
"$WATCHDOG" release show "$ID"
echo "== what the deployer (the demo service) received"
grep 'rollback webhook received' "$RUN/service.log" | cut -c1-240
[ "$code" -eq 1 ] && echo "demo: rolled back, as it should be" || { echo "demo: expected a rollback" >&2; exit 1; }
