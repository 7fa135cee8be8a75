#!/usr/bin/env bash
# Side by side in one run: the Flask + gunicorn baseline (one SQLite row) and psc's GET /api/v1/departments
# (every department), each under wrk -t2 -c64 -d10s on loopback. Needs: pip install flask gunicorn; apt wrk.
set -euo pipefail
# Load benchmarks measure the server, not the limits (00-conventions §8): switch the rate limits off.
export PSC_RATE_LIMITS_ENABLED=false
cd "$(dirname "$0")/.."
psc="${PSC_BIN:-.build/release/psc}"
[ -x "$psc" ] || { echo "build first: swift build -c release" >&2; exit 1; }
data="$(mktemp -d)"
trap 'kill ${flask_pid:-} ${psc_pid:-} 2>/dev/null || true; rm -rf "$data"' EXIT

(cd Benchmarks && BASELINE_DB="$data/baseline.db" python3 -m gunicorn -w 2 -b 127.0.0.1:18090 --log-level warning flask_baseline:app) &
flask_pid=$!
"$psc" serve --data-dir "$data/psc" --port 18091 >/dev/null 2>&1 &
psc_pid=$!
until curl -sf http://127.0.0.1:18090/department >/dev/null 2>&1 && curl -sf http://127.0.0.1:18091/api/v1/health >/dev/null 2>&1; do
  sleep 0.1
done
echo "== Flask + gunicorn (2 workers), one row"
wrk -t2 -c64 -d10s --latency http://127.0.0.1:18090/department | grep -E "Requests/sec| 99%"
kill "$flask_pid"; wait "$flask_pid" 2>/dev/null || true
echo "== psc, GET /api/v1/departments"
wrk -t2 -c64 -d10s --latency http://127.0.0.1:18091/api/v1/departments | grep -E "Requests/sec| 99%"
