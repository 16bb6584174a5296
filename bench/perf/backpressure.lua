-- wrk script of bench/backpressure.py: latency split by answer class (accepted 200, refused
-- 503 "overloaded", anything else an error), timed by the script itself.
-- Run with as many threads as connections (`-t C -c C`): a thread then has one connection, so
-- its request() and response() calls alternate and one start time per thread is enough.
-- Arguments after `--`: PATH BODY RAMP_MS REFUSED_PAUSE_MS
--   RAMP_MS: answers to requests sent in the first RAMP_MS of a thread are not kept;
--   REFUSED_PAUSE_MS: < 0: a refused connection waits the answer's Retry-After before asking
--     again (what both SDKs do); >= 0: that fixed pause instead (0: a retry storm).
-- done() prints one line "WRK_JSON {...}" with every kept latency (ms) per class, so the Python
-- side computes percentiles over all threads exactly as it did over its own clients.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } atlas_bp_timespec;
  int clock_gettime(int clk_id, atlas_bp_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("atlas_bp_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local payload = nil
local window_from = 0   -- this thread's monotonic ms from which answers are kept
local refused_pause = -1
local sent_at = nil     -- when this thread's only connection sent its pending request
local pause = 0         -- ms the next request waits (a refusal's Retry-After)

-- Per thread, globals so that done() can read them with thread:get (wrk copies numbers,
-- strings and tables between Lua states, tables recursively): lists of latencies in ms.
accepted = {}
refused = {}
errors = 0

function init(args)
  local path, body = args[1], args[2]
  window_from = now_ms() + tonumber(args[3])
  refused_pause = tonumber(args[4])
  payload = wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

function delay()
  local wait = pause
  pause = 0
  return wait
end

function request()
  sent_at = now_ms()
  return payload
end

local function retry_after_ms(headers)
  local value = headers["retry-after"] or headers["Retry-After"]
  return (tonumber(value) or 1) * 1000
end

function response(status, headers, body)
  local now = now_ms()
  local kept = sent_at ~= nil and sent_at >= window_from
  local ms = kept and now - sent_at or 0
  sent_at = nil
  if status == 503 and body and body:find('"overloaded"', 1, true) then
    if kept then refused[#refused + 1] = ms end
    pause = refused_pause < 0 and retry_after_ms(headers) or refused_pause
  elseif status == 200 then
    if kept then accepted[#accepted + 1] = ms end
  elseif kept then
    errors = errors + 1
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

local function joined(name)
  local out = {}
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get(name) or {}) do out[#out + 1] = string.format("%.2f", ms) end
  end
  return table.concat(out, ", ")
end

function done(summary, _, _)
  local e = summary.errors
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("errors") or 0) end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"other_answers": %d, "accepted_ms": [%s], "refused_ms": [%s]}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.timeout, failed,
    joined("accepted"), joined("refused")))
end
