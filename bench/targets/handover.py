"""``POST /api/v1/dropoffs``: a counter's handover with the carrier key at its registered point, each
request on a fresh approved return (each code once), with an Idempotency-Key as counters send one.

The approved returns the earlier targets left (the seeded ones the verifier asked about, those
approve approved) are used first; more are opened and approved through the API until
BENCH_HANDOVER_RETURNS are available. Its bar: at least 1.5 times the return creation of the same
run (issue 7), measured in turns with it (``create.beside``); handover/verifier and handover/create
are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench import app, wrk
from bench.common import Result
from bench.targets import create
from bench.targets.base import Bar, Stage, Target
from bench.targets.walk import Tally, Walk, walk_once

NAME = "handover"
WHAT = "POST /api/v1/dropoffs (carrier, Idempotency-Key)"
PATH = "/api/v1/dropoffs"
POINT_ID = "BENCH-P-1"
POINT = {
    "point_id": POINT_ID,
    "name": "Bench counter",
    "address": {"name": "Bench counter", "lines": ["1 Bench Road"], "city": "Berlin", "country": "DE"},
}


def _script(stage: Stage, codes: Sequence[str]) -> Path:
    return wrk.script(
        NAME, "handover", {"authorization": f"Bearer {stage.carrier_key}", "point_id": POINT_ID, "items": codes}
    )


def prepare(stage: Stage) -> None:
    """Register the carrier key's point, as a carrier does before its counters hand anything over."""
    app.expect(app.request(stage.base, "POST", "/api/v1/dropoff-points", stage.carrier_key, POINT), 201, "a point")


def measure(stage: Stage) -> Result:
    """Only 201 with a receipt counts, each approved return handed over once."""
    url = stage.database_url
    return walk_once(
        stage,
        Walk(
            name=NAME,
            what=WHAT,
            path=PATH,
            rows="approved returns",
            setting="BENCH_HANDOVER_RETURNS",
            wanted=stage.settings.handover_returns,
            available=lambda: app.handover_ready(url),
            seed=lambda count: app.seed_approved(stage.base, stage.platform_key, count, stage.settings.orders),
            script=lambda codes: _script(stage, codes),
            tally=Tally(count=lambda: app.count_receipts(url), answers="201 with a receipt", gained="receipts"),
        ),
        beside=create.beside(stage, NAME),
    )


TARGET = Target(
    name=NAME,
    what=WHAT,
    label="handover",
    column="handover",
    measure=measure,
    prepare=prepare,
    bar=Bar(of="create", at_least=1.5, subject="the handover", baseline="return creation"),
)
