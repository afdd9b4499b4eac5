"""``GET /api/v1/orders/{external_id}/returnable``: each line of a seeded order judged under its
seller's policy in force (units left, window, reasons, refusals), platform key, cycling over the
orders the order target reads.

Its bar (issue 8): at least half the throughput of ``GET /api/v1/orders/{external_id}`` in the same
run: judging the lines (the units their returns hold, the policy in force, the business-day window)
may cost no more than reading the order once more.
"""

from __future__ import annotations

from bench import wrk
from bench.common import Result
from bench.targets.base import Bar, Stage, Target
from bench.targets.order import order_ids

NAME = "returnable"
WHAT = "GET /api/v1/orders/{external_id}/returnable (platform)"


def measure(stage: Stage) -> Result:
    """Only 200 with a returnable line counts: every seeded line has units left in an open window."""
    script = wrk.script(
        NAME, "returnable", {"authorization": f"Bearer {stage.platform_key}", "items": order_ids(stage)}
    )
    return stage.wrk.warm_up_and_measure(NAME, WHAT, "/api/v1/orders", script)


TARGET = Target(
    name=NAME,
    what=WHAT,
    label="returnable",
    column="returnable",
    measure=measure,
    bar=Bar(of="order", at_least=0.5, subject="returnable", baseline="GET /orders/{external_id}"),
)
