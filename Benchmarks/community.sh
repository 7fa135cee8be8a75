#!/usr/bin/env bash
# Community benchmarks (issue 5: community core). Run by hand, never in CI:
#
#   swift build -c release --product psc && Benchmarks/community.sh [USERS]
#
# Seeds a synthetic campus with `psc seed --synthetic --users USERS` (default 50,000: 500,000 posts, 5,000 events),
# starts the release server on it, then on loopback with wrk -t2 -c64 -d15s:
#   feed       GET /api/v1/feed as the member with 200 connections
#   search     GET /api/v1/search?q=WORD (words and prefixes that hit posts, people, events and jobs)
#   directory  GET /api/v1/directory?q=NAME (names, some with a role or graduation-year filter)
# and the server's resident memory before and after. That is the spec's configuration, where these answers are
# cached for 60 s per query and caller (00-conventions §9), so after each path's first request the load is served
# from memory (each path is requested once before its load, so the figures are the steady state; a run without the
# warm-up is the same but for the first 8 computations, which 64 waiting connections all feel). Then the server is restarted with PSC_CACHE_MAX_ENTRIES=0 (nothing cached) and each path list runs
# on one connection (wrk -t1 -c1): what a request costs when it is computed, with no concurrent request to share
# the computation. DATA_DIR=dir reuses (or keeps) a seeded directory.
default_port=18081 default_duration=15s
source "$(dirname "$0")/load-setup.sh"
scripts="$work"

if [ ! -f "$data/bench-token" ]; then
  echo "== psc seed --synthetic --users $users"
  /usr/bin/time -f "seed_wall_s: %e  seed_max_rss_kb: %M" "$psc" seed --synthetic --users "$users" --data-dir "$data" | tee "$data/seed.log"
  grep -o 'psc_pat_[A-Za-z0-9_-]*' "$data/seed.log" > "$data/bench-token"
fi
token="$(cat "$data/bench-token")"
echo "database_bytes: $(stat -c %s "$data/psc.db")"

start_server
echo "rss_before_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
auth="Authorization: Bearer $token"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "http://127.0.0.1:$port/api/v1/feed")" = 200 ] || { echo "the token does not work" >&2; exit 1; }

# Each request takes the next of a list of paths, so the cache of one hot query does not flatter the figures.
paths_script() {
  local name="$1"; shift
  {
    echo "local paths = {"
    for path in "$@"; do echo "  \"$path\","; done
    echo "}"
    echo "local i = 0"
    echo "request = function() i = i % #paths + 1; return wrk.format(\"GET\", paths[i]) end"
  } > "$scripts/$name.lua"
}
paths_script feed "/api/v1/feed" "/api/v1/feed?limit=20"
paths_script search "/api/v1/search?q=career" "/api/v1/search?q=gorilla" "/api/v1/search?q=eng*" "/api/v1/search?q=nursing" \
  "/api/v1/search?q=avery" "/api/v1/search?q=intern" "/api/v1/search?q=%22career%20fair%22" "/api/v1/search?q=kelce"
paths_script directory "/api/v1/directory?q=avery" "/api/v1/directory?q=stanfield" "/api/v1/directory?q=quinn&role=alumni" \
  "/api/v1/directory?q=morgan&graduation_year_from=2000&graduation_year_to=2010" "/api/v1/directory?q=lockhart" \
  "/api/v1/directory?q=harper&sort=name" "/api/v1/directory?q=wren" "/api/v1/directory?q=jordan%20vance"

load() {
  local connections="$1" threads="$2" warm="${3:-}"
  for name in feed search directory; do
    if [ -n "$warm" ]; then
      grep -o '"/api[^"]*"' "$scripts/$name.lua" | tr -d '"' | while read -r path; do
        curl -s -o /dev/null -H "$auth" "http://127.0.0.1:$port$path"
      done
    fi
    echo "== $name: wrk -t$threads -c$connections -d$duration --latency"
    wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "$auth" -s "$scripts/$name.lua" "http://127.0.0.1:$port" \
      | grep -E "Requests/sec|Non-2xx|Socket errors| 50%| 90%| 99%|requests in"
  done
}
echo "### spec configuration (response cache on, warmed)"
load 64 2 warm
echo "rss_after_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
tail -3 "$scripts/server.err"

echo "### nothing cached, one connection (PSC_CACHE_MAX_ENTRIES=0)"
kill "$pid"; wait "$pid" 2>/dev/null || true
PSC_CACHE_MAX_ENTRIES=0 start_server
load 1 1
