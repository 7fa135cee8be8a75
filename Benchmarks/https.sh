#!/usr/bin/env bash
# The departments list over plain HTTP, over HTTPS with HTTP/1.1 keep-alive (wrk) and over HTTP/2 (h2load), in one
# run on loopback, and TLS handshakes per second (openssl s_time, new sessions only). The certificate comes from a
# private CA made here with openssl. Needs: apt wrk nghttp2-client openssl.
# Usage: Benchmarks/https.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
export PSC_RATE_LIMITS_ENABLED=false
cd "$(dirname "$0")/.."
psc="${PSC_BIN:-.build/release/psc}"
[ -x "$psc" ] || { echo "build first: swift build -c release --product psc" >&2; exit 1; }
seconds="${1:-10}"
connections="${2:-32}"
work="$(mktemp -d)"
trap 'kill ${plain_pid:-} ${tls_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT

(
  cd "$work"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Bench CA" -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 7 -days 2 -extfile san.ext -out server.pem 2>/dev/null
)

"$psc" serve --data-dir "$work/plain" --port 18095 --no-demo >/dev/null 2>&1 &
plain_pid=$!
PSC_HTTP_TLS_CERTIFICATE_FILE="$work/server.pem" PSC_HTTP_TLS_KEY_FILE="$work/server.key" \
  "$psc" serve --data-dir "$work/tls" --port 18096 --no-demo >/dev/null 2>&1 &
tls_pid=$!
until curl -sf http://127.0.0.1:18095/api/v1/health >/dev/null 2>&1 \
  && curl -sf --cacert "$work/ca.pem" https://localhost:18096/api/v1/health >/dev/null 2>&1; do
  sleep 0.1
done

echo "== plain HTTP/1.1 keep-alive (wrk -t2 -c$connections -d${seconds}s)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency http://127.0.0.1:18095/api/v1/departments | grep -E "Requests/sec| 50%| 99%"
echo "== HTTPS HTTP/1.1 keep-alive (wrk -t2 -c$connections -d${seconds}s)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency https://localhost:18096/api/v1/departments | grep -E "Requests/sec| 50%| 99%"
echo "== HTTPS HTTP/2 (h2load -t2 -c$connections -m10 -D$seconds)"
h2load -t2 -c"$connections" -m10 -D"$seconds" https://localhost:18096/api/v1/departments \
  | grep -E "^finished in|^requests:|^status codes:|^time for request:|h2"
echo "== TLS handshakes, new sessions only (openssl s_time -new -time $seconds)"
openssl s_time -connect 127.0.0.1:18096 -new -time "$seconds" -CAfile "$work/ca.pem" 2>/dev/null | grep -E "connections in|connections/user"
