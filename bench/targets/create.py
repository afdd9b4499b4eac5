"""``POST /api/v1/returns``: return creation with the platform key, every request a valid new return
(one unit of line L2, round-robin over the seeded orders, whose lines never run out).

No bar of its own; it is the baseline of the handover's and the refund's bars, which measure it
again in turns with them (``beside``). Issue 5 asks that the median create/TPC-B of three runs
after it be at least 1.4 times the baseline's (0.0514, docs/benchmarks.md), judged over a series.
"""

from __future__ import annotations

import json

from bench import app, wrk
from bench.common import Result
from bench.targets.base import Stage, Target
from bench.targets.walk import Beside, Tally, measured_and_checked

NAME = "create"
WHAT = "POST /api/v1/returns (platform)"
PATH = "/api/v1/returns"


def _turn(stage: Stage, name: str, what: str, orders: range) -> wrk.Turn:
    bodies = [json.dumps(app.return_body(number, "L2")) for number in orders]
    data = {"authorization": f"Bearer {stage.platform_key}", "items": bodies}
    return wrk.Turn(name, what, PATH, lambda: wrk.script(name, "create", data))


def _tally(stage: Stage) -> Tally:
    return Tally(count=lambda: app.count_returns(stage.database_url), answers="201", gained="returns")


def measure(stage: Stage) -> Result:
    """Only 201 counts; the run is cross-checked against the rows the database gained meanwhile."""
    (result,) = measured_and_checked(stage, [_turn(stage, NAME, WHAT, range(stage.settings.orders))], [_tally(stage)])
    return result


def beside(stage: Stage, subject: str) -> Beside:
    """Creation as the baseline measured in turns with ``subject``: on as many orders as the seeded
    ones, imported now for it, so that it meets as few returns per order as its own run did (a
    creation sums the units the order's returns hold, so it slows as they pile up on the seeded
    orders, and the walks seed thousands there)."""
    first = app.count_orders(stage.database_url)
    orders = range(first, first + stage.settings.orders)
    app.import_orders(stage.base, stage.platform_key, orders)
    turn = _turn(stage, f"{NAME}-beside-{subject}", f"{WHAT}, in turns with {subject}", orders)
    return Beside(turn=turn, tally=_tally(stage))


TARGET = Target(name=NAME, what=WHAT, label="create", column="create", measure=measure)
