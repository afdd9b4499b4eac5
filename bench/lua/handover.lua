-- POST /api/v1/dropoffs: a counter hands over each approved code (items) once, at the carrier key's
-- point (point_id), weighing what its lines weigh, with an Idempotency-Key of its own as counters
-- send; only 201 with a receipt_id counts. Each thread walks its own slice of items (its
-- connections share the thread's position), so no code is handed over twice; a thread past the end
-- of its slice counts it in exhausted and repeats its last code (answered 409, so the run is refused).
wrk.method = "POST"

function request()
  next_once()
  local code = items[position]
  local headers = {
    ["Authorization"] = authorization,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "counter-" .. code .. "-" .. (exhausted or 0),
  }
  local body = '{"code": "' .. code .. '", "point_id": "' .. point_id .. '", "weight_g": 500}'
  return wrk.format(nil, "/api/v1/dropoffs", headers, body)
end

function is_expected(status, body)
  return status == 201 and string.find(body, '"receipt_id":%s*"RC') ~= nil
end
