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
default_port=18082 default_duration=60s
source "$(dirname "$0")/load-setup.sh"
connections="${CONNECTIONS:-200}"
threads="${THREADS:-2}"

if [ ! -f "$data/psc.db" ]; then
  echo "== psc seed --synthetic --users $users"
  "$psc" seed --synthetic --users "$users" --data-dir "$data" | head -1
fi
python3 Benchmarks/campus_day_targets.py "$data/psc.db" "$work/targets.tsv" "$connections"
echo "database_bytes: $(stat -c %s "$data/psc.db")"

start_server
cookie="psc_session=$(head -1 "$work/targets.tsv" | cut -f4)"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$cookie" "http://127.0.0.1:$port/feed")" = 200 ] \
  || { echo "the benchmark's sessions are not signed in" >&2; exit 1; }
echo "rss_before_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s -s Benchmarks/campus-day.lua \
  "http://127.0.0.1:$port" -- "$work/targets.tsv" "$threads"
echo "rss_after_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)  peak_rss_kb: $(awk '/VmHWM/ {print $2}' /proc/$pid/status)"
