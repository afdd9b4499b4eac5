-- POST /api/v1/returns/{code}/refund, each inspected code (items) once, with no body but {} (the
-- default refund of every accepted line), the key of the return's seller
-- (authorizations[owners[i]]) and an Idempotency-Key of its own, as the route requires; only 200
-- with the refund in the return ("kind": "refund") counts. Each thread walks its own slice of
-- items, as approve.lua does; past its end it counts exhausted and repeats its last code with a new
-- key (answered 409, so the run is refused).
wrk.method = "POST"

function request()
  next_once()
  local code = items[position]
  local headers = {
    ["Authorization"] = authorizations[owners[position]],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "refund-" .. code .. "-" .. (exhausted or 0),
  }
  return wrk.format(nil, "/api/v1/returns/" .. code .. "/refund", headers, "{}")
end

function is_expected(status, body)
  return status == 200 and string.find(body, '"kind":%s*"refund"') ~= nil
end
