"""``POST /api/v1/returns/{code}/receive``: the seller's receipt of a parcel with the scan of its
code and of the one item in it, each request on a fresh seeded return (approved or in transit),
with the key of the return's seller; every request a valid receipt (each code once).

The returns the earlier targets left approved (or handed over) are used; more are opened and
approved through the API (one unit of line L1, round-robin over the orders) until
BENCH_RECEIVE_RETURNS are available. No bar; receive/create is reported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from bench import app
from bench.common import Result
from bench.targets.base import Stage, Target
from bench.targets.walk import Tally, Walk, seller_script, walk_once

NAME = "receive"
WHAT = "POST /api/v1/returns/{code}/receive (seller, code and item scanned)"
PATH = "/api/v1/returns"


def _body(code: str, sku: str) -> str:
    """What a warehouse scanner sends: the code off the label, then the item out of the box."""
    return json.dumps({"scan": code, "lines": [{"item": sku, "quantity": 1}]})


def _script(stage: Stage, returns: Sequence[tuple[str, str, str]]) -> Path:
    return seller_script(
        stage,
        NAME,
        "receive",
        [code for code, _, _ in returns],
        [seller for _, seller, _ in returns],
        bodies=[_body(code, sku) for code, _, sku in returns],
    )


def measure(stage: Stage) -> Result:
    """Only 200 with ``"status": "received"`` counts, each receivable return received once."""
    url = stage.database_url
    return walk_once(
        stage,
        Walk(
            name=NAME,
            what=WHAT,
            path=PATH,
            rows="receivable returns",
            setting="BENCH_RECEIVE_RETURNS",
            wanted=stage.settings.receive_returns,
            available=lambda: app.receivable_returns(url),
            seed=lambda count: app.seed_approved(stage.base, stage.platform_key, count, stage.settings.orders),
            script=lambda returns: _script(stage, returns),
            tally=Tally(
                count=lambda: app.count_events(url, "receive"), answers="200 'received'", gained="receive events"
            ),
        ),
    )


TARGET = Target(name=NAME, what=WHAT, label="receive", column="receive", measure=measure)
