-- wrk script of the Atlas benches (bench/perf/wrk.py runs it).
-- Arguments after `--`: METHOD PATH BODIES_FILE RATE_PER_THREAD
--   BODIES_FILE: one request body per line, sent in turn ("-": no body);
--   RATE_PER_THREAD: requests per second this thread offers (0: as fast as the connections go).
-- The credential comes from the environment (ATLAS_BENCH_AUTHORIZATION), not argv, so it
-- does not show in a process listing.
-- done() prints one line "WRK_JSON {...}" that the Python side parses, with the count of
-- answers per HTTP status (so a refusal by design, 503 overloaded, shows apart from a failure).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } atlas_timespec;
  int clock_gettime(int clk_id, atlas_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("atlas_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local requests = {}
local turn = 0
local interval = 0 -- ms between two requests of this thread; 0 = no pacing
local next_slot = nil

function init(args)
  local method, path, bodies_file, rate = args[1], args[2], args[3], tonumber(args[4] or "0")
  local headers = { ["Content-Type"] = "application/json" }
  local auth = os.getenv("ATLAS_BENCH_AUTHORIZATION")
  if auth and auth ~= "" then headers["Authorization"] = auth end
  if bodies_file == "-" then
    requests[1] = wrk.format(method, path, headers, nil)
  else
    for line in io.lines(bodies_file) do
      if line ~= "" then requests[#requests + 1] = wrk.format(method, path, headers, line) end
    end
  end
  if rate > 0 then
    interval = 1000 / rate
    delay = paced_delay -- wrk checks for delay() after init: unpaced runs skip its timers
  end
end

-- Every thread's state, so done() can add up the statuses each one counted.
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

statuses = {} -- per thread: status code -> answers (a global, for thread:get)
function response(status, _, _)
  statuses[status] = (statuses[status] or 0) + 1
end

function request()
  turn = turn % #requests + 1
  return requests[turn]
end

-- Fixed offered rate: every request takes the next slot of this thread's schedule; a thread
-- that falls behind does not send a burst to catch up (the slot moves to now).
function paced_delay()
  local now = now_ms()
  if next_slot == nil or next_slot < now then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval
  return math.floor(wait + 0.5)
end

local function status_counts()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + n
    end
  end
  local out = {}
  for status, n in pairs(total) do out[#out + 1] = string.format('"%d": %d', status, n) end
  return table.concat(out, ", ")
end

function done(summary, latency, _)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({ 50, 90, 95, 99 }) do
    p[#p + 1] = string.format('"p%d": %.1f', q, latency:percentile(q))
  end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"latency_us": {"mean": %.1f, "max": %.1f, %s}, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency.max, table.concat(p, ", "), status_counts()))
end
