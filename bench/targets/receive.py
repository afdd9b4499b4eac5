"""``POST /api/v1/returns/{code}/receive``: the seller's receipt of a parcel with the scan of its
code and of the one item in it, each request on a fresh seeded return (approved or in transit),
with the key of the return's seller; every request a valid receipt (each code once).

The returns the earlier targets left approved (or handed over) are used; more are opened and
approved through the API (one unit of line L1, round-robin over the orders) until
BENCH_RECEIVE_RETURNS are available. No bar; receive/create is reported.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import app, wrk
from bench.common import CONNECTIONS, SETTLE_SECONDS, THREADS, HarnessError, Result, log
from bench.targets.base import Stage, Target

NAME = "receive"
WHAT = "POST /api/v1/returns/{code}/receive (seller, code and item scanned)"
PATH = "/api/v1/returns"


def _body(code: str, sku: str) -> str:
    """What a warehouse scanner sends: the code off the label, then the item out of the box."""
    return json.dumps({"scan": code, "lines": [{"item": sku, "quantity": 1}]})


def _script(stage: Stage, returns: list[tuple[str, str, str]]) -> Path:
    sellers = sorted(stage.seller_keys)
    owner = {seller: number + 1 for number, seller in enumerate(sellers)}  # Lua counts from 1
    return wrk.script(
        NAME,
        "receive",
        {
            "authorizations": [f"Bearer {stage.seller_keys[seller]}" for seller in sellers],
            "items": [code for code, _, _ in returns],
            "bodies": [_body(code, sku) for code, _, sku in returns],
            "owners": [owner[seller] for _, seller, _ in returns],
        },
    )


def _seed_approved(stage: Stage, count: int) -> None:
    """Open ``count`` more returns and approve them (the platform key), through the API."""
    orders = stage.settings.orders

    def open_and_approve(number: int) -> None:
        opened = app.expect(
            app.request(stage.base, "POST", PATH, stage.platform_key, app.return_body(number % orders, "L1")),
            201,
            f"opening a return on order {number % orders}",
        )
        app.expect(
            app.request(stage.base, "POST", f"{PATH}/{opened['code']}/approve", stage.platform_key, {}),
            200,
            f"approving return {opened['code']}",
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(open_and_approve, range(count)))
    log(f"seeded {count} approved returns in {time.monotonic() - started:.0f} s")


def measure(stage: Stage) -> Result:
    """Only 200 with ``"status": "received"`` counts; the run is cross-checked against the
    ``receive`` events the database gained, and fails when a wrk thread ran out of codes."""
    wanted = stage.settings.receive_returns
    available = app.receivable_returns(stage.database_url)
    if len(available) < wanted:
        log(f"{len(available)} receivable returns; opening and approving {wanted - len(available)} more for receive")
        _seed_approved(stage, wanted - len(available))
        available = app.receivable_returns(stage.database_url)
    app.settle(stage.database_url)
    stage.wrk.warm_up(NAME, PATH, _script(stage, available))
    remaining = app.receivable_returns(stage.database_url)
    if len(remaining) < CONNECTIONS * THREADS:
        raise HarnessError(
            f"only {len(remaining)} receivable returns left after the warm-up; raise BENCH_RECEIVE_RETURNS"
        )
    before = app.count_events(stage.database_url, "receive")
    result = stage.wrk.measure(NAME, WHAT, PATH, _script(stage, remaining))
    if result.exhausted:
        raise HarnessError(
            f"receive: the {len(remaining)} receivable returns ran out ({result.exhausted} "
            "requests repeated a code); raise BENCH_RECEIVE_RETURNS"
        )
    time.sleep(SETTLE_SECONDS)
    received = app.count_events(stage.database_url, "receive") - before
    answered = result.requests - result.unexpected
    if not answered <= received <= result.requests + CONNECTIONS:
        raise HarnessError(f"wrk saw {answered} returns received, the database gained {received} receive events")
    log(
        f"receive: {answered} answers were 200 'received', the database gained {received} receive events "
        f"({len(remaining)} receivable returns were available)"
    )
    return result


TARGET = Target(name=NAME, what=WHAT, label="receive", column="receive", measure=measure)
