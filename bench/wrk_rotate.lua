-- wrk script for bench/harness.py's `wrk_run`: every request takes the next path from a file
-- (one per line, rotating), carries the extra headers given, and `done` prints one summary line
-- that Python parses.
--
--   wrk -t1 -c16 -d10s -s bench/wrk_rotate.lua http://127.0.0.1:PORT -- PATHS_FILE "Name: value" ...

local paths, headers, next_index = {}, {}, 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. tostring(args[1]))
  end
  for i = 2, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    if name == nil then
      error("not a header: " .. args[i])
    end
    headers[name] = value
  end
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index], headers)
end

-- No `response` callback: defining one makes wrk buffer every body, which would load the client
-- on the CSV runs. Status errors are wrk's own count of answers above 399.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_SUMMARY {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx_3xx": %d, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
