-- Counts, per wrk thread, the answers a target must give and the others, and sums them in done().
-- The target's script (before this one) defines is_expected(status, body) and, unless bench/wrk.py
-- gives it, items: what the requests walk. bench/wrk.py sets thread_count. Each thread starts at
-- its own slice of items (offset, set in setup), so the threads never send the same item together.
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  expected, unexpected, first_bad = 0, 0, ""
  position = offset * math.floor(#items / thread_count)
end

-- For targets that use each item up (approve, handover, receive): move to the next item of this
-- thread's slice (its connections share the position), so no item is sent twice; past the end of
-- the slice, count it in exhausted and stay on the last item (its repeat is answered 409, so the
-- run is refused).
function next_once()
  local last = (offset + 1) * math.floor(#items / thread_count)
  if position < last then
    position = position + 1
  else
    exhausted = (exhausted or 0) + 1
  end
end

function response(status, headers, body)
  if is_expected(status, body or "") then
    expected = expected + 1
  else
    unexpected = unexpected + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.gsub(string.sub(body or "", 1, 300), "%s+", " ")
    end
  end
end

function done(summary, latency, requests)
  local good, bad, ran_out, sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    good = good + thread:get("expected")
    bad = bad + thread:get("unexpected")
    ran_out = ran_out + (thread:get("exhausted") or 0)
    if sample == "" then sample = thread:get("first_bad") end
  end
  io.write(string.format("BENCH_CHECK expected=%d unexpected=%d exhausted=%d\n", good, bad, ran_out))
  if sample ~= "" then io.write("BENCH_FIRST_BAD " .. sample .. "\n") end
end
