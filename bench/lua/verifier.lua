-- GET /api/v1/codes/{code} with the carrier key (authorization), cycling over the approved codes
-- (items); only 200 with "result": "valid" counts.
wrk.headers["Authorization"] = authorization

function request()
  position = position % #items + 1
  return wrk.format("GET", "/api/v1/codes/" .. items[position])
end

function is_expected(status, body)
  return status == 200 and string.find(body, '"result":%s*"valid"') ~= nil
end
