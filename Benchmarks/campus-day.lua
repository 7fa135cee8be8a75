-- The campus-day load for wrk (Benchmarks/campus-day.sh): replays the request list written by campus_day_targets.py,
-- each request as one of the signed-in sessions, and measures every request's latency by kind. wrk reports one
-- latency for all requests, so each request carries its own X-Request-Id (the server echoes it) and the response
-- callback looks its start time up. Clock: CLOCK_MONOTONIC through LuaJIT's ffi.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } psc_timespec;
  int clock_gettime(int clock, psc_timespec *tp);
]]
local now_spec = ffi.new("psc_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_spec)
  return tonumber(now_spec.tv_sec) * 1000 + tonumber(now_spec.tv_nsec) / 1e6
end

local threads = {}
local made = 0

-- thread_number is a global of each thread's own Lua state, set here before its init runs.
function setup(thread)
  made = made + 1
  thread:set("thread_number", made)
  table.insert(threads, thread)
end

local targets = {}
local next_target = 0
local pending = {}
local sequence = 0
-- One flat global per kind: wrk copies a thread's tables to the main state one level deep only (nested ones crash it).
local kinds = { "feed", "profile", "search", "events", "directory", "post", "like", "rsvp" }
for _, kind in ipairs(kinds) do _G["latency_" .. kind] = {} end
statuses = {}

function init(args)
  for line in io.lines(args[1]) do
    local kind, method, path, cookie, csrf, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(targets, { kind = kind, method = method, path = path, cookie = cookie, csrf = csrf, body = body })
  end
  -- Threads start at different places in the list, so they are not in step.
  next_target = math.floor(#targets * (thread_number - 1) / math.max(1, tonumber(args[2]) or 2))
end

function request()
  next_target = next_target % #targets + 1
  local target = targets[next_target]
  sequence = sequence + 1
  local id = "bench-" .. thread_number .. "-" .. sequence
  pending[id] = { target.kind, now_ms() }
  local headers = { ["Cookie"] = "psc_session=" .. target.cookie, ["X-Request-Id"] = id }
  local body = nil
  if target.method ~= "GET" then
    headers["X-CSRF-Token"] = target.csrf
    if target.body ~= "" then
      headers["Content-Type"] = "application/json"
      body = target.body
    end
  end
  return wrk.format(target.method, target.path, headers, body)
end

function response(status, headers, body)
  local id = headers["X-Request-Id"] or headers["x-request-id"]
  local started = id and pending[id]
  if not started then return end
  pending[id] = nil
  local kind = started[1]
  table.insert(_G["latency_" .. kind], now_ms() - started[2])
  local key = kind .. " " .. status
  statuses[key] = (statuses[key] or 0) + 1
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p))]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local merged, counts = {}, {}
  for _, thread in ipairs(threads) do
    for _, kind in ipairs(kinds) do
      merged[kind] = merged[kind] or {}
      for _, v in ipairs(thread:get("latency_" .. kind)) do table.insert(merged[kind], v) end
    end
    for key, n in pairs(thread:get("statuses")) do
      local kind, status = key:match("^(%S+) (%d+)$")
      counts[kind] = counts[kind] or {}
      counts[kind][status] = (counts[kind][status] or 0) + n
    end
  end
  local errors = summary.errors
  io.write(string.format("requests: %d in %.1f s\nrequests_per_second: %.0f\n", summary.requests, seconds,
    summary.requests / seconds))
  io.write(string.format("socket_errors: connect %d, read %d, write %d, timeout %d; non_2xx_3xx: %d\n",
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
  io.write(string.format("%-10s %8s %8s %9s %9s  %s\n", "kind", "count", "share", "p50_ms", "p99_ms", "statuses"))
  local measured = 0
  for _, kind in ipairs(kinds) do measured = measured + #(merged[kind] or {}) end
  for _, kind in ipairs(kinds) do
    local values = merged[kind] or {}
    table.sort(values)
    local parts = {}
    for status, n in pairs(counts[kind] or {}) do table.insert(parts, status .. "×" .. n) end
    table.sort(parts)
    io.write(string.format("%-10s %8d %7.1f%% %9.2f %9.2f  %s\n", kind, #values, 100 * #values / math.max(1, measured),
      percentile(values, 0.5), percentile(values, 0.99), table.concat(parts, " ")))
  end
end
