# Shared set-up of the wrk load benchmarks (community.sh, campus-day.sh); sourced, not run. Before sourcing, set
# default_port and default_duration. Gives: $psc (the release binary, or PSC_BIN), $users ($1, default 50,000),
# $port, $duration, $data (DATA_DIR or a temporary directory removed at exit), $work (a temporary directory removed at
# exit) and start_server, which starts psc on $data and waits for its health check ($pid; stderr in $work/server.err).
set -euo pipefail
# Load benchmarks measure the server, not the limits (00-conventions §8): switch the rate limits off.
export PSC_RATE_LIMITS_ENABLED=false
cd "$(dirname "${BASH_SOURCE[0]}")/.."
psc="${PSC_BIN:-.build/release/psc}"
unset PSC_BIN  # every PSC_ variable is read as configuration
[ -x "$psc" ] || { echo "build first: swift build -c release --product psc" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
users="${1:-50000}"
port="${PORT:-$default_port}"
duration="${DURATION:-$default_duration}"
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

start_server() {
  "$psc" serve --data-dir "$data" --port "$port" --no-demo >/dev/null 2>"$work/server.err" &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.05
  done
}
