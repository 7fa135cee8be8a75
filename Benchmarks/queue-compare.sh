#!/usr/bin/env bash
# Side by side in one run on this machine: Celery with a local redis-server broker and 2 worker processes running
# N no-op tasks, then psc's queue (psc-bench queue, 100,000 no-op jobs, synchronous=NORMAL and FULL); then the
# in-process cache's hot-key reads beside redis-benchmark GET on loopback.
# Needs: apt redis-server redis-tools; pip install "celery[redis]"; swift build -c release --product psc-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="${PSC_BENCH_BIN:-.build/release/psc-bench}"
[ -x "$bench" ] || { echo "build first: swift build -c release --product psc-bench" >&2; exit 1; }
tasks="${CELERY_TASKS:-20000}"
work="$(mktemp -d)"
trap 'kill ${worker_pid:-} ${redis_pid:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

redis-server --port 16379 --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize no >"$work/redis.log" &
redis_pid=$!
until redis-cli -p 16379 ping >/dev/null 2>&1; do sleep 0.1; done

(cd Benchmarks && exec python3 -m celery -A celery_noop worker --concurrency 2 --pool prefork --loglevel WARNING \
  --without-gossip --without-mingle --without-heartbeat) >"$work/celery.log" 2>&1 &
worker_pid=$!
until (cd Benchmarks && python3 -m celery -A celery_noop inspect ping --timeout 1) >/dev/null 2>&1; do sleep 0.5; done

echo "== Celery + Redis, 2 worker processes, $tasks no-op tasks"
(cd Benchmarks && python3 celery_noop.py "$tasks")
kill "$worker_pid"; wait "$worker_pid" 2>/dev/null || true

echo "== psc queue, 100,000 no-op jobs"
"$bench" queue --jobs 100000
"$bench" queue --jobs 100000 --durability full

echo "== redis-benchmark GET, loopback, 2 threads, 50 clients, 5 KB value"
redis-benchmark -p 16379 -t get -n 2000000 -d 5000 -c 50 --threads 2 --csv | tail -1
echo "== redis-benchmark GET, pipelined 16 deep"
redis-benchmark -p 16379 -t get -n 5000000 -d 5000 -c 50 -P 16 --threads 2 --csv | tail -1
echo "== psc cache, hot-key reads from 2 threads"
"$bench" cache --reads 20000000
