-- GET /api/v1/orders/{external_id} with the platform key (authorization), cycling over the seeded
-- orders (items); only 200 with the order's lines counts.
wrk.headers["Authorization"] = authorization

function request()
  position = position % #items + 1
  return wrk.format("GET", "/api/v1/orders/" .. items[position])
end

function is_expected(status, body)
  return status == 200 and string.find(body, '"lines":%s*%[{') ~= nil
end
