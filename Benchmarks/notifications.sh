#!/usr/bin/env bash
# Notification hub benchmarks (issue 16). Run by hand, never in CI:
#
#   swift build -c release --product psc --product psc-admin && Benchmarks/notifications.sh [USERS]
#
# Seeds a synthetic campus (`psc seed --synthetic --users USERS`, default 50,000), starts the release server and runs
# Benchmarks/notification_load.py against it:
#   fan-out   an admin broadcasts to everyone (NTF-17); the time until NTF-18 reports `done`, the in-app rows written
#             per second, and the p50/p99 of other requests (unread count, a department page) idle and during it
#   streams   1,000 open NTF-6 streams (100 people × 10), the server's resident memory before and after, and how long
#             a broadcast to those 100 people takes to reach all 1,000 streams
default_port=18301 default_duration=15s
source "$(dirname "$0")/load-setup.sh"
admin_client="${PSC_ADMIN_BIN:-.build/release/psc-admin}"
[ -x "$admin_client" ] || { echo "build first: swift build -c release --product psc-admin" >&2; exit 1; }
mkdir -p "$data"
if [ ! -f "$data/seed.log" ]; then
  echo "== psc seed --synthetic --users $users"
  "$psc" seed --synthetic --users "$users" --data-dir "$data" | tee "$data/seed.log"
fi
# Admins sign in with a password only (no second factor) for the benchmark.
export PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS=false
start_server
python3 Benchmarks/notification_load.py --url "http://127.0.0.1:$port" --pid "$pid" --admin "$admin_client" \
  --socket "$data/admin.sock"
