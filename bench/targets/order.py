"""``GET /api/v1/orders/{external_id}``: one order with its lines and payments, platform key, cycling
over the seeded orders. The baseline of the returnable target (``returnable.py``): the same order
read plainly, without judging its lines."""

from __future__ import annotations

from bench import app, wrk
from bench.common import Result
from bench.targets.base import Stage, Target

NAME = "order"
WHAT = "GET /api/v1/orders/{external_id} (platform)"


def order_ids(stage: Stage) -> list[str]:
    """The seeded orders' external ids, which both order targets cycle over."""
    return [app.order_id(number) for number in range(stage.settings.orders)]


def measure(stage: Stage) -> Result:
    """Only 200 with the order's ``lines`` counts."""
    script = wrk.script(NAME, "order", {"authorization": f"Bearer {stage.platform_key}", "items": order_ids(stage)})
    return stage.wrk.warm_up_and_measure(NAME, WHAT, "/api/v1/orders", script)


TARGET = Target(name=NAME, what=WHAT, label="order", column="order", measure=measure)
