-- wrk script: POST one GraphQL query (from the QUERY environment variable) with the bearer
-- token in TOKEN; counts responses that carry GraphQL errors so a fast failure is not
-- mistaken for a fast answer.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = os.getenv("QUERY")

local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
    if errors == 1 then io.stderr:write("first error: " .. status .. " " .. body:sub(1, 300) .. "\n") end
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f req/s\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6)))
end
