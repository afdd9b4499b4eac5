-- POST /api/v1/returns with the platform key (authorization), round-robin over the bodies (items);
-- only 201 counts.
wrk.method = "POST"
wrk.headers["Authorization"] = authorization
wrk.headers["Content-Type"] = "application/json"

function request()
  position = position % #items + 1
  return wrk.format(nil, nil, nil, items[position])
end

function is_expected(status, body)
  return status == 201
end
