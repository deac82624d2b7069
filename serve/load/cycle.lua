-- Cycles through the contexts of the book at $BOOK, one per request (serve/load/run.sh).
local lines = {}
for line in io.lines(os.getenv("BOOK")) do lines[#lines + 1] = line end
local next_line = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  next_line = next_line % #lines + 1
  return wrk.format(nil, nil, nil, lines[next_line])
end
done = function(summary, latency, requests)
  io.write(string.format("p50 %.1f us, p99 %.1f us, max %.1f us, errors %d non2xx %d\n",
    latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
