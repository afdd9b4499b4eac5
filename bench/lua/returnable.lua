-- GET /api/v1/orders/{external_id}/returnable with the platform key (authorization), cycling over
-- the seeded orders (items); only 200 with a returnable line counts.
wrk.headers["Authorization"] = authorization

function request()
  position = position % #items + 1
  return wrk.format("GET", "/api/v1/orders/" .. items[position] .. "/returnable")
end

function is_expected(status, body)
  return status == 200 and string.find(body, '"returnable":%s*true') ~= nil
end
