#!/bin/sh
# After a deploy: register the release with the watchdog, wait for its verdict, and fail the
# pipeline if it was rolled back. One script for every CI: the GitHub Actions and GitLab CI
# examples beside it call it, so what is tested here holds for them.
#
#   deploy.sh SERVICE VERSION ENVIRONMENT [PREVIOUS_VERSION]
#
# Required env: WATCHDOG_URL (http://watchdog:8080), WATCHDOG_TOKEN (a token with the deployer role).
# Optional env: WATCHDOG_JAR     run the CLI as `java -jar $WATCHDOG_JAR` (default: `watchdog` on PATH)
#               WATCHDOG_WINDOW  how long the watchdog watches (default: its config, 24h)
#               WATCHDOG_BAKE    quiet this long = healthy (default 30m)
#               WATCHDOG_WAIT    how long this job waits for the verdict (default 45m)
#               WATCHDOG_LABELS  space-separated NAME=VALUE labels for the rules, e.g. "cluster=eu-1"
#               WATCHDOG_ROLLBACK  the rollback target in the watchdog's config (default: default)
#               WATCHDOG_UNDECIDED pass | fail: no verdict when the wait ends (default fail)
# Exit: 0 healthy; 1 rolled back, or the rollback failed; 2 no verdict in time;
#       3 the watchdog could not be reached or refused the release; 64 wrong usage.
set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: deploy.sh SERVICE VERSION ENVIRONMENT [PREVIOUS_VERSION]" >&2
  exit 64
fi
: "${WATCHDOG_URL:?set WATCHDOG_URL to the watchdog, e.g. http://watchdog:8080}"
: "${WATCHDOG_TOKEN:?set WATCHDOG_TOKEN to a token with the deployer role}"
export WATCHDOG_URL WATCHDOG_TOKEN
service=$1 version=$2 environment=$3 previous=${4:-}

watchdog() {
  if [ -n "${WATCHDOG_JAR:-}" ]; then java -jar "$WATCHDOG_JAR" "$@"; else command watchdog "$@"; fi
}

set -- release start --quiet --service "$service" --version "$version" --environment "$environment"
[ -z "$previous" ] || set -- "$@" --previous-version "$previous"
[ -z "${WATCHDOG_WINDOW:-}" ] || set -- "$@" --window "$WATCHDOG_WINDOW"
[ -z "${WATCHDOG_ROLLBACK:-}" ] || set -- "$@" --rollback "$WATCHDOG_ROLLBACK"
set -- "$@" --bake "${WATCHDOG_BAKE:-30m}"
for label in ${WATCHDOG_LABELS:-}; do
  set -- "$@" --label "$label"
done

code=0
id=$(watchdog "$@") || code=$?
if [ "$code" -ne 0 ] || [ -z "$id" ]; then
  echo "deploy.sh: the watchdog did not take $service $version ($environment): nobody watches this release" >&2
  exit 3
fi
echo "deploy.sh: $service $version ($environment) is watched as $id"
# GitHub Actions: later steps can read the id as steps.<step id>.outputs.release-id.
[ -z "${GITHUB_OUTPUT:-}" ] || echo "release-id=$id" >> "$GITHUB_OUTPUT"

code=0
watchdog release wait "$id" --timeout "${WATCHDOG_WAIT:-45m}" || code=$?
case $code in
  0)
    echo "deploy.sh: $service $version is healthy"
    exit 0 ;;
  1)
    echo "deploy.sh: $service $version was rolled back (or its rollback failed); its timeline:" >&2
    watchdog release show "$id" >&2 || true
    exit 1 ;;
  2)
    if [ "${WATCHDOG_UNDECIDED:-fail}" = pass ]; then
      echo "deploy.sh: no verdict on $service $version yet; the watchdog keeps watching ($id)"
      exit 0
    fi
    echo "deploy.sh: no verdict on $service $version within ${WATCHDOG_WAIT:-45m}; the watchdog keeps watching ($id)" >&2
    exit 2 ;;
  4)
    echo "deploy.sh: nobody could judge $service $version: no rule had any data (check that its metrics reach" \
      "Prometheus with the labels the rules select); what each rule saw:" >&2
    watchdog release show "$id" >&2 || true
    exit 4 ;;
  *)
    echo "deploy.sh: lost the watchdog while waiting for $id (exit $code)" >&2
    exit 3 ;;
esac
