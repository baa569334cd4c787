-- wrk script for bench/run.py. The request comes from the environment:
--   BENCH_METHOD   GET (default) or POST
--   BENCH_BODY     the request body, if any
--   BENCH_HEADERS  extra headers, one "Name: value" per line (Cookie, X-CSRFToken, Content-Type)
-- and the result goes out as one JSON line on stdout, after wrk's own report.

wrk.method = os.getenv("BENCH_METHOD") or "GET"

local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
end

for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then
    wrk.headers[name] = value
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6 -- wrk counts in microseconds, latencies too
  local errors = summary.errors -- status: answers of 400 and above
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}}\n',
    summary.requests,
    seconds,
    seconds > 0 and summary.requests / seconds or 0,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.connect,
    errors.read,
    errors.write,
    errors.timeout,
    errors.status
  ))
end
