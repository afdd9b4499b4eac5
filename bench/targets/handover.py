"""``POST /api/v1/dropoffs``: a counter's handover with the carrier key at its registered point, each
request on a fresh approved return (each code once), with an Idempotency-Key as counters send one.

The approved returns the earlier targets left (the seeded ones the verifier asked about, those
approve approved) are used first; more are opened and approved through the API until
BENCH_HANDOVER_RETURNS are available. Its bar: at least 1.5 times the return creation of the same
run (issue 7); handover/verifier and handover/create are reported.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import app, wrk
from bench.common import CONNECTIONS, SETTLE_SECONDS, THREADS, HarnessError, Result, log
from bench.targets.base import Bar, Stage, Target

NAME = "handover"
WHAT = "POST /api/v1/dropoffs (carrier, Idempotency-Key)"
PATH = "/api/v1/dropoffs"
POINT_ID = "BENCH-P-1"
POINT = {
    "point_id": POINT_ID,
    "name": "Bench counter",
    "address": {"name": "Bench counter", "lines": ["1 Bench Road"], "city": "Berlin", "country": "DE"},
}


def _script(stage: Stage, codes: list[str]) -> Path:
    return wrk.script(
        NAME, "handover", {"authorization": f"Bearer {stage.carrier_key}", "point_id": POINT_ID, "items": codes}
    )


def prepare(stage: Stage) -> None:
    """Register the carrier key's point, as a carrier does before its counters hand anything over."""
    app.expect(app.request(stage.base, "POST", "/api/v1/dropoff-points", stage.carrier_key, POINT), 201, "a point")


def measure(stage: Stage) -> Result:
    """Only 201 with a receipt counts; the run is cross-checked against the receipts the database
    gained, and fails when a wrk thread ran out of codes."""
    wanted = stage.settings.handover_returns
    available = app.handover_ready(stage.database_url)
    if len(available) < wanted:
        log(f"{len(available)} approved returns; opening and approving {wanted - len(available)} more for handover")
        app.seed_approved(stage.base, stage.platform_key, wanted - len(available), stage.settings.orders)
        available = app.handover_ready(stage.database_url)
    app.settle(stage.database_url)
    stage.wrk.warm_up(NAME, PATH, _script(stage, available))
    remaining = app.handover_ready(stage.database_url)
    if len(remaining) < CONNECTIONS * THREADS:
        raise HarnessError(
            f"only {len(remaining)} approved returns left after the warm-up; raise BENCH_HANDOVER_RETURNS"
        )
    before = app.count_receipts(stage.database_url)
    result = stage.wrk.measure(NAME, WHAT, PATH, _script(stage, remaining))
    if result.exhausted:
        raise HarnessError(
            f"handover: the {len(remaining)} approved returns ran out ({result.exhausted} "
            "requests repeated a code); raise BENCH_HANDOVER_RETURNS"
        )
    time.sleep(SETTLE_SECONDS)
    handed = app.count_receipts(stage.database_url) - before
    answered = result.requests - result.unexpected
    if not answered <= handed <= result.requests + CONNECTIONS:
        raise HarnessError(f"wrk saw {answered} parcels handed over, the database gained {handed} receipts")
    log(
        f"handover: {answered} answers were 201 with a receipt, the database gained {handed} receipts "
        f"({len(remaining)} approved returns were available)"
    )
    return result


TARGET = Target(
    name=NAME,
    what=WHAT,
    label="handover",
    column="handover",
    measure=measure,
    prepare=prepare,
    bar=Bar(of="create", at_least=1.5, subject="the handover", baseline="return creation"),
)
