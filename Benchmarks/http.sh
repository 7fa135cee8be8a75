#!/usr/bin/env bash
# HTTP benchmark of the foundation (issue: the appliance foundation). Run by hand, never in CI:
#
#   Benchmarks/http.sh            # uses .build/release/psc; build it first with: swift build -c release
#
# Measures, on loopback: start-up to the first answered request on an existing database (best of 5),
# wrk -t2 -c64 -d10s against GET /api/v1/departments and GET /api/v1/health, and the server's resident memory
# after the load. Needs wrk (Debian package wrk) and curl.
set -euo pipefail
# Load benchmarks measure the server, not the limits (00-conventions §8): switch the rate limits off.
export PSC_RATE_LIMITS_ENABLED=false
cd "$(dirname "$0")/.."
psc="${PSC_BIN:-.build/release/psc}"
[ -x "$psc" ] || { echo "build first: swift build -c release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
port="${PORT:-18080}"
data="$(mktemp -d)"
trap 'kill ${pid:-} 2>/dev/null || true; wait ${pid:-} 2>/dev/null || true; rm -rf "$data"' EXIT
env -u PSC_ADMIN_SOCKET "$psc" migrate --data-dir "$data" >/dev/null

pid=""
best=""
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$psc" serve --data-dir "$data" --port "$port" >/dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do sleep 0.002; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  kill -TERM "$pid"; wait "$pid" || true
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "startup_to_first_response_ms (best of 5, existing database): $best"

"$psc" serve --data-dir "$data" --port "$port" >/dev/null 2>"$data.err" &
pid=$!
until curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do sleep 0.01; done
echo "rss_before_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
for path in /api/v1/departments /api/v1/health; do
  echo "== wrk -t2 -c64 -d10s --latency http://127.0.0.1:$port$path"
  wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|Non-2xx|Socket errors| 50%| 90%| 99%|requests in"
done
echo "rss_after_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"; cat "$data.err" | tail -3
