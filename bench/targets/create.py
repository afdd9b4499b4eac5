"""``POST /api/v1/returns``: return creation with the platform key, every request a valid new return
(one unit of line L2, round-robin over the seeded orders, whose lines never run out).

No bar in a single run. Issue 5 asks that the median create/TPC-B of three runs after it be at least
1.4 times the baseline's (0.0514, docs/benchmarks.md), judged over a series.
"""

from __future__ import annotations

import json
import time

from bench import app, wrk
from bench.common import CONNECTIONS, SETTLE_SECONDS, HarnessError, Result, log
from bench.targets.base import Stage, Target

NAME = "create"
WHAT = "POST /api/v1/returns (platform)"


def measure(stage: Stage) -> Result:
    """Only 201 counts; the run is cross-checked against the rows the database gained meanwhile."""
    bodies = [json.dumps(app.return_body(number, "L2")) for number in range(stage.settings.orders)]
    script = wrk.script(NAME, "create", {"authorization": f"Bearer {stage.platform_key}", "items": bodies})
    stage.wrk.warm_up(NAME, "/api/v1/returns", script)
    before = app.count_returns(stage.database_url)
    result = stage.wrk.measure(NAME, WHAT, "/api/v1/returns", script)
    time.sleep(SETTLE_SECONDS)
    created = app.count_returns(stage.database_url) - before
    answered = result.requests - result.unexpected
    # wrk stops reading at its deadline: up to one request per connection is still in flight.
    if not answered <= created <= result.requests + CONNECTIONS:
        raise HarnessError(f"wrk saw {answered} returns created, the database gained {created}")
    log(f"create: {answered} answers were 201, the database gained {created} returns")
    return result


TARGET = Target(name=NAME, what=WHAT, label="create", column="create", measure=measure)
