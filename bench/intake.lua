-- wrk script for bench/intake.py: every request a new report (or, in replay mode, a resend).
--
-- Environment: BENCH_DATA (a Lua file returning tokens, matters, points), BENCH_MODE
-- (intake | minimal | replay), BENCH_RUN (prefix that makes client ids unique per run).
-- Prints one line "BENCH_RESULT {json}" at the end for bench/intake.py to read.

local data = dofile(os.getenv("BENCH_DATA"))
local mode = os.getenv("BENCH_MODE") or "intake"
local run = os.getenv("BENCH_RUN") or "run"
local REPLAY_IDS = tonumber(os.getenv("BENCH_REPLAY_IDS") or "50")  -- per thread

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local counter = 0
local ok, replayed, client_errors, server_errors = 0, 0, 0, 0
local first_error = ""
local path = (mode == "minimal") and "/bench/minimal/" or "/api/v1/cases/"

function init(args)
  math.randomseed(1000 + tid)
end

function request()
  counter = counter + 1
  local worker, id
  if mode == "replay" then
    -- A resend: the same worker (idempotency is per account) sends the same report again.
    local k = counter % REPLAY_IDS
    worker = ((tid - 1) * REPLAY_IDS + k) % #data.tokens + 1
    id = string.format("%s-replay-%d-%d", run, tid, k)
  else
    worker = math.random(#data.tokens)
    id = string.format("%s-%s-%d-%d", run, mode, tid, counter)
  end
  local token = data.tokens[worker]
  local headers = {
    ["Authorization"] = "Token " .. token,
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }
  local body
  if mode == "minimal" then
    body = string.format('{"client_id":"%s"}', id)
  else
    local mine = data.points[worker]  -- a point in the worker's own grid
    local p = mine[math.random(#mine)]
    local matter = data.matters[math.random(#data.matters)]
    local description = data.descriptions[math.random(#data.descriptions)]
    if mode == "replay" then p, matter, description = mine[1], data.matters[1], data.descriptions[1] end
    body = string.format(
      '{"lng":%.7f,"lat":%.7f,"matter":"%s","description":"%s","client_id":"%s"}',
      p[1], p[2], matter, description, id)
  end
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if headers["Idempotent-Replayed"] then replayed = replayed + 1 end
  else
    if status >= 500 then server_errors = server_errors + 1 else client_errors = client_errors + 1 end
    if first_error == "" then first_error = status .. " " .. string.sub(body or "", 1, 300) end
  end
  -- Published for done(): counters live in each thread's own Lua state.
  wrk.thread:set("ok", ok)
  wrk.thread:set("replayed", replayed)
  wrk.thread:set("client_errors", client_errors)
  wrk.thread:set("server_errors", server_errors)
  wrk.thread:set("first_error", first_error)
end

function done(summary, latency, requests)
  local totals = {ok = 0, replayed = 0, client_errors = 0, server_errors = 0}
  local first = ""
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
    local e = thread:get("first_error") or ""
    if first == "" then first = e end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"mode":"%s","requests":%d,"duration_us":%d,"ok":%d,"replayed":%d,' ..
    '"client_errors":%d,"server_errors":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"first_error":"%s"}\n',
    mode, summary.requests, summary.duration, totals.ok, totals.replayed,
    totals.client_errors, totals.server_errors, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    (string.gsub(first, "[\\\"%c]", " "))))
end
