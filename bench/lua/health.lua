-- GET /api/v1/health, the trivial endpoint; only 200 with "ok" counts.
items = {}

function is_expected(status, body)
  return status == 200 and string.find(body, '"ok"', 1, true)
end
