#!/usr/bin/env bash
# What "Back up now" costs the people using the site (issue "The admin console"). Run by hand, never in CI:
#
#   swift build -c release --product psc --product psc-admin && Benchmarks/backup-impact.sh [USERS]
#
# Seeds a synthetic campus (default 20,000 people, a database of about 160 MB), starts the release server, then has
# four writers post without pause (wrk -t2 -c4, POST /api/v1/posts as the seeded member) for two windows of
# DURATION (default 30 s): one idle, one during which `psc-admin backup` runs back to back, so every write of the
# second window overlaps a backup. Prints each window's write latencies (p50, p99, max: the longest stall) and the
# WAL's peak size (sampled every 100 ms). DATA_DIR=dir reuses (or keeps) a seeded directory.
default_port=18085 default_duration=30s
source "$(dirname "$0")/load-setup.sh"
admin="${PSC_ADMIN_BIN:-.build/release/psc-admin}"
[ -x "$admin" ] || { echo "build first: swift build -c release --product psc-admin" >&2; exit 1; }

if [ ! -f "$data/bench-token" ]; then
  "$psc" seed --synthetic --users "$users" --data-dir "$data" | tee "$data/seed.log"
  grep -o 'psc_pat_[A-Za-z0-9_-]*' "$data/seed.log" > "$data/bench-token"
fi
token="$(cat "$data/bench-token")"
echo "database_bytes: $(stat -c %s "$data/psc.db")"
start_server

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"content":"Backup benchmark post ' .. n .. ': the library is open late this week.","visibility":"public"}')
end
LUA

wal_peak() {  # samples the WAL every 100 ms until told to stop; prints the peak in MB
  local peak=0 size
  while [ ! -f "$work/stop-sampling" ]; do
    size=$(stat -c %s "$data/psc.db-wal" 2>/dev/null || echo 0)
    [ "$size" -gt "$peak" ] && peak=$size
    sleep 0.1
  done
  echo $((peak / 1048576))
}

window() {  # $1: idle | backup
  rm -f "$work/stop-sampling" "$work/stop-backups"
  wal_peak > "$work/wal-$1" &
  local sampler=$!
  if [ "$1" = backup ]; then
    ( count=0; while [ ! -f "$work/stop-backups" ]; do
        "$admin" --socket "$data/admin.sock" backup "$work/backup-$count.db" >/dev/null && rm -f "$work/backup-$count.db"*
        count=$((count + 1)); done; echo "$count" > "$work/backups-made" ) &
    local looper=$!
  fi
  wrk -t2 -c4 -d"$duration" --latency -s "$work/post.lua" -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/posts" > "$work/wrk-$1.txt"
  touch "$work/stop-sampling" "$work/stop-backups"
  wait "$sampler"
  [ "$1" = backup ] && wait "$looper"
  local p50 p99 max requests
  p50=$(awk '/^ +50%/ {print $2}' "$work/wrk-$1.txt")
  p99=$(awk '/^ +99%/ {print $2}' "$work/wrk-$1.txt")
  max=$(awk '/Latency/ {print $4; exit}' "$work/wrk-$1.txt")
  requests=$(awk '/requests in/ {print $1}' "$work/wrk-$1.txt")
  non2xx=$(awk '/Non-2xx/ {print $4}' "$work/wrk-$1.txt")
  echo "$1: writes $requests (non-2xx ${non2xx:-0}), p50 $p50, p99 $p99, max $max, wal_peak_mb $(cat "$work/wal-$1")" \
    "$( [ "$1" = backup ] && echo "backups $(cat "$work/backups-made")")"
}

window idle
window backup
