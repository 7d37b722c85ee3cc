-- wrk script: each request is one of the operations in BODIES (a file of JSON bodies, one
-- per line), sent as the token on the same line before a tab. The costliest operations
-- each role may send, round-robin per connection.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  local token, body = line:match("^([^\t]+)\t(.*)$")
  table.insert(bodies, { token = token, body = body })
end
local n = 0
request = function()
  n = n + 1
  local b = bodies[(n % #bodies) + 1]
  return wrk.format("POST", "/graphql",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. b.token }, b.body)
end

local refused = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then refused = refused + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, p50 %.1f ms, p99 %.1f ms, %.1f req/s\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
