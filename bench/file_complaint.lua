-- POST /api/v1/complaints for wrk: every request files a seller complaint about another
-- (order, category), so none is refused as a duplicate of an open one. Arguments after `--`:
-- the first sequence number of this run (runs must not overlap) and the thread count.
local categories = {
  "not_as_described", "defective", "delivery_deadline_missed", "staff_misconduct",
  "return_refused", "fraud", "other",
}
local threads = 0
local counter = 0

function setup(thread)
  thread:set("thread_no", threads)
  threads = threads + 1
end

function init(args)
  base = tonumber(args[1] or "0")
  stride = tonumber(args[2] or "2")
end

function request()
  local n = base + counter * stride + thread_no
  counter = counter + 1
  local order = string.format("order-%06d", (n % 100000) + 1)
  local category = categories[(math.floor(n / 100000) % #categories) + 1]
  local body = '{"order_id":"' .. order .. '","target":"seller","category":"' .. category ..
    '","description":"Товар не соответствует описанию в карточке магазина"}'
  -- A copy per request: wrk.format sets Content-Length on the table it is given.
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, body)
end
