#!/usr/bin/env bash
# Community spaces benchmarks (issue 18). Run by hand, never in CI:
#
#   swift build -c release --product psc && Benchmarks/community-spaces.sh [USERS]
#
# Seeds a synthetic campus with `psc seed --synthetic --users USERS` (default 50,000 people; its forum has the demo
# categories, 5,000 more threads in the first and one thread of 500 posts), starts the release server on it, then
# on loopback with wrk -t2 -c64 -d15s --latency, as the seeded member with a read token:
#   category   GET /api/v1/forums/categories/campus-life/threads (FRM-3, the busy category, three sort orders)
#   thread     GET /api/v1/forums/threads/<the 500-post thread>?limit=100 (FRM-5, its five pages of 100 posts)
#   thread20   the same thread's first page at the default page size (20 posts)
#   pages      GET /forums/campus-life and /forums/t/<the long thread> (the HTML pages, 30 threads and 100 posts each)
#   announce   GET /api/v1/announcements (ANN-1, served from the cache after the first request of each key)
# FRM-3 and FRM-5 answers are cached per caller for 60 s and dropped by any forum write (a vote or reply shows at
# once); the HTML pages are computed on every request.
# DATA_DIR=dir reuses (or keeps) a seeded directory.
default_port=18083 default_duration=15s
source "$(dirname "$0")/load-setup.sh"
scripts="$work"

if [ ! -f "$data/bench-token" ]; then
  echo "== psc seed --synthetic --users $users"
  /usr/bin/time -f "seed_wall_s: %e  seed_max_rss_kb: %M" "$psc" seed --synthetic --users "$users" --data-dir "$data" | tee "$data/seed.log"
  grep -o 'psc_pat_[A-Za-z0-9_-]*' "$data/seed.log" > "$data/bench-token"
fi
token="$(cat "$data/bench-token")"
echo "database_bytes: $(stat -c %s "$data/psc.db")"
long="$(sqlite3 "$data/psc.db" "SELECT thread_id FROM forum_posts GROUP BY thread_id ORDER BY count(*) DESC LIMIT 1")"
echo "long_thread: $long with $(sqlite3 "$data/psc.db" "SELECT count(*) FROM forum_posts WHERE thread_id = $long") posts;" \
  "campus-life threads: $(sqlite3 "$data/psc.db" "SELECT count(*) FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id WHERE c.slug = 'campus-life'")"

start_server
auth="Authorization: Bearer $token"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "http://127.0.0.1:$port/api/v1/forums/threads/$long")" = 200 ] \
  || { echo "the token does not reach the long thread" >&2; exit 1; }

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
cursor() { printf 'post:%s' "$1" | base64 | tr '+/' '-_' | tr -d '='; }
first_post="$(sqlite3 "$data/psc.db" "SELECT min(id) FROM forum_posts WHERE thread_id = $long")"
paths_script category "/api/v1/forums/categories/campus-life/threads" "/api/v1/forums/categories/campus-life/threads?sort=new" \
  "/api/v1/forums/categories/campus-life/threads?sort=top"
thread_paths=("/api/v1/forums/threads/$long?limit=100")
paths_script thread20 "/api/v1/forums/threads/$long"
for page in 1 2 3 4; do thread_paths+=("/api/v1/forums/threads/$long?limit=100&cursor=$(cursor $((first_post + page * 100 - 1)))"); done
paths_script thread "${thread_paths[@]}"
paths_script pages "/forums/campus-life" "/forums/t/$long"
paths_script announce "/api/v1/announcements" "/api/v1/announcements?limit=20"

for name in category thread thread20 pages announce; do
  grep -o '"/[^"]*"' "$scripts/$name.lua" | tr -d '"' | while read -r path; do
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "http://127.0.0.1:$port$path")"
    [ "$code" = 200 ] || { echo "$path answered $code" >&2; exit 1; }
  done
  echo "== $name: wrk -t2 -c64 -d$duration --latency"
  wrk -t2 -c64 -d"$duration" --latency -H "$auth" -s "$scripts/$name.lua" "http://127.0.0.1:$port" \
    | grep -E "Requests/sec|Non-2xx|Socket errors| 50%| 90%| 99%|requests in"
done
echo "rss_after_load_kb: $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
