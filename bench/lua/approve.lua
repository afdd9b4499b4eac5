-- POST /api/v1/returns/{code}/approve, each requested code (items) once, with the key of the
-- return's seller (authorizations[owners[i]]); only 200 with "status": "approved" counts.
-- Each thread walks its own slice of items (its connections share the thread's position), so no
-- code is approved twice; a thread past the end of its slice counts it in exhausted and repeats
-- its last code (answered 409, so the run is refused).
wrk.method = "POST"
headers = {}
for number, authorization in ipairs(authorizations) do
  headers[number] = {["Authorization"] = authorization, ["Content-Type"] = "application/json"}
end

function request()
  next_once()
  return wrk.format(nil, "/api/v1/returns/" .. items[position] .. "/approve", headers[owners[position]], "{}")
end

function is_expected(status, body)
  return status == 200 and string.find(body, '"status":%s*"approved"') ~= nil
end
