-- Shared by the benchmark scripts (wrk 4, LuaJIT). Configuration comes from
-- the environment the harness (bench/harness.py) sets:
--   BENCH_TOKEN       bearer access token
--   BENCH_IDS         file of task ids (one a line) to read and patch
--   BENCH_DELETE_IDS  file of task ids the delete workload may consume
--   BENCH_EMAIL, BENCH_PASSWORD   credentials for the login storm
--   BENCH_THREADS     wrk's -t
--   BENCH_LUA_DIR     this directory
-- Every script ends with `done()` printing one line:
--   BENCH_RESULT {json}
-- which the harness parses.

local common = {}

common.token = os.getenv("BENCH_TOKEN") or ""
common.auth = { ["Authorization"] = "Bearer " .. common.token }
common.json_auth = {
  ["Authorization"] = "Bearer " .. common.token,
  ["Content-Type"] = "application/json",
}

function common.read_lines(path)
  local lines = {}
  if not path or path == "" then return lines end
  local f = io.open(path, "r")
  if not f then return lines end
  for line in f:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  f:close()
  return lines
end

-- Threads are numbered in setup() so that each can take its own share of a
-- list (delete ids must be distinct across threads). wrk runs each thread's
-- init() before the next thread's setup(), so the number of threads comes
-- from BENCH_THREADS (the -t the harness passed).
local threads = {}
local counter = 0

function common.setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

-- The ids of `path` that belong to this thread: every n-th, from its index.
function common.share(path)
  local all = common.read_lines(path)
  local mine = {}
  local n = tonumber(os.getenv("BENCH_THREADS")) or 1
  local index = tonumber(thread_index) or 0
  for i = 1 + index, #all, n do
    mine[#mine + 1] = all[i]
  end
  return mine
end

local priorities = { "low", "medium", "high", "urgent" }
local statuses = { "incomplete", "in_progress", "complete" }
local serial = 0

function common.create_body()
  serial = serial + 1
  local due = ""
  local r = math.random(10)
  if r <= 4 then
    due = string.format(', "due_date": "2027-%02d-%02d"', math.random(12), math.random(28))
  elseif r <= 7 then
    due = string.format(', "due_date": "2027-%02d-%02dT%02d:30:00Z"',
      math.random(12), math.random(28), math.random(0, 23))
  end
  return string.format(
    '{"title": "Bench task %d-%d", "description": "Created by the benchmark", "priority": "%s"%s}',
    tonumber(thread_index) or 0, serial, priorities[math.random(#priorities)], due)
end

function common.patch_body()
  local r = math.random(3)
  if r == 1 then
    return string.format('{"priority": "%s"}', priorities[math.random(#priorities)])
  elseif r == 2 then
    return string.format('{"status": "%s"}', statuses[math.random(#statuses)])
  end
  serial = serial + 1
  return string.format('{"title": "Patched by the benchmark %d"}', serial)
end

-- Counters a script may bump; summed over threads in done().
exhausted = 0

function common.done(summary, latency, requests)
  local exhausted_total = 0
  for _, t in ipairs(threads) do
    exhausted_total = exhausted_total + (tonumber(t:get("exhausted")) or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"errors_status": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_timeout": %d, "exhausted": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout, exhausted_total))
end

return common
