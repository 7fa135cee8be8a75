#!/usr/bin/env bash
# The campus-day benchmark (issue 14). Run by hand, never in CI:
#
#   swift build -c release --product psc && Benchmarks/campus-day.sh [USERS]
#
# Seeds a synthetic campus with `psc seed --synthetic --users USERS` (default 50,000), signs in 200 generated
# members (Benchmarks/campus_day_targets.py), starts the release server and replays for 60 s, with wrk on 200
# connections, a shuffled mix of their requests: 40% feed pages, 15% profile pages, 15% search pages, 10% the event
# list, 10% directory pages, 5% new posts, 3% likes, 2% RSVPs (pages as a browser asks for them, writes through the
# JSON API with the session's CSRF token). Prints requests per second, p50 and p99 per kind with the statuses,
# errors, and the server's resident memory before and after the load.
#
#   PSC_BIN=path   another build of psc (to compare two commits on the same seeded data)
#   DATA_DIR=dir   reuse (or keep) a seeded directory; each run signs in 200 new sessions
#   DURATION=60s CONNECTIONS=200 THREADS=2 PORT=18082
set -euo pipefail
# Load benchmarks measure the server, not the limits (00-conventions §8): switch the rate limits off.
export PSC_RATE_LIMITS_ENABLED=false
cd "$(dirname "$0")/.."
psc="${PSC_BIN:-.build/release/psc}"
unset PSC_BIN  # every PSC_ variable is read as configuration
[ -x "$psc" ] || { echo "build first: swift build -c release --product psc" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
users="${1:-50000}"
port="${PORT:-18082}"
duration="${DURATION:-60s}"
connections="${CONNECTIONS:-200}"
threads="${THREADS:-2}"
keep="${DATA_DIR:-}"
data="${DATA_DIR:-$(mktemp -d)}"
work="$(mktemp -d)"
cleanup() {
  kill "${pid:-}" 2>/dev/null || true
  wait "${pid:-}" 2>/dev/null || true
  rm -rf "$work"
  [ -n "$keep" ] || rm -rf "$data"
}
trap cleanup EXIT

if [ ! -f "$data/psc.db" ]; then
  echo "== psc seed --synthetic --users $users"
  "$psc" seed --synthetic --users "$users" --data-dir "$data" | head -1
fi
python3 Benchmarks/campus_day_targets.py "$data/psc.db" "$work/targets.tsv" "$connections"
echo "database_bytes: $(stat -c %s "$data/psc.db")"

"$psc" serve --data-dir "$data" --port "$port" --no-demo >/dev/null 2>"$work/server.err" &
pid=$!
until curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.05
done
cookie="psc_session=$(head -1 "$work/targets.tsv" | cut -f4)"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$cookie" "http://127.0.0.1:$port/feed")" = 200 ] \
  || { echo "the benchmark's sessions are not signed in" >&2; exit 1; }
echo "rss_before_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s -s Benchmarks/campus-day.lua \
  "http://127.0.0.1:$port" -- "$work/targets.tsv" "$threads"
echo "rss_after_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)  peak_rss_kb: $(awk '/VmHWM/ {print $2}' /proc/$pid/status)"
