-- POST /api/v1/returns/{code}/receive, each receivable code (items) once with its body (bodies:
-- the code scanned and the one item in the box), with the key of the return's seller
-- (authorizations[owners[i]]); only 200 with "status": "received" counts. Each thread walks its
-- own slice of items, as approve.lua does; past its end it counts exhausted and repeats its last
-- code (answered 409, so the run is refused).
wrk.method = "POST"
headers = {}
for number, authorization in ipairs(authorizations) do
  headers[number] = {["Authorization"] = authorization, ["Content-Type"] = "application/json"}
end

function request()
  next_once()
  return wrk.format(nil, "/api/v1/returns/" .. items[position] .. "/receive", headers[owners[position]], bodies[position])
end

function is_expected(status, body)
  return status == 200 and string.find(body, '"status":%s*"received"') ~= nil
end
