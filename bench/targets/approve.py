"""``POST /api/v1/returns/{code}/approve``: one lifecycle transition, each seller approving its own
requested returns with its seller key, every request a valid approval (each code once).

The returns the creation run left requested are used first; more are opened through the API (one
unit of line L1, round-robin over the orders) until BENCH_APPROVE_RETURNS are available. The
warm-up approves some; the measured run walks those still requested after it. No bar; approve/TPC-B
is reported.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import app, wrk
from bench.common import CONNECTIONS, SETTLE_SECONDS, THREADS, HarnessError, Result, log
from bench.targets.base import Stage, Target

NAME = "approve"
WHAT = "POST /api/v1/returns/{code}/approve (seller)"
PATH = "/api/v1/returns"


def _script(stage: Stage, returns: list[tuple[str, str]]) -> Path:
    sellers = sorted(stage.seller_keys)
    owner = {seller: number + 1 for number, seller in enumerate(sellers)}  # Lua counts from 1
    return wrk.script(
        NAME,
        "approve",
        {
            "authorizations": [f"Bearer {stage.seller_keys[seller]}" for seller in sellers],
            "items": [code for code, _ in returns],
            "owners": [owner[seller] for _, seller in returns],
        },
    )


def measure(stage: Stage) -> Result:
    """Only 200 with ``"status": "approved"`` counts; the run is cross-checked against the ``approve``
    events the database gained, and fails when a wrk thread ran out of codes."""
    wanted = stage.settings.approve_returns
    available = app.requested_returns(stage.database_url)
    if len(available) < wanted:
        log(f"{len(available)} requested returns; opening {wanted - len(available)} more for approve")
        app.seed_requested(stage.base, stage.platform_key, wanted - len(available), stage.settings.orders)
        available = app.requested_returns(stage.database_url)
    app.settle(stage.database_url)
    stage.wrk.warm_up(NAME, PATH, _script(stage, available))
    remaining = app.requested_returns(stage.database_url)
    if len(remaining) < CONNECTIONS * THREADS:
        raise HarnessError(
            f"only {len(remaining)} requested returns left after the warm-up; raise BENCH_APPROVE_RETURNS"
        )
    before = app.count_events(stage.database_url, "approve")
    result = stage.wrk.measure(NAME, WHAT, PATH, _script(stage, remaining))
    if result.exhausted:
        raise HarnessError(
            f"approve: the {len(remaining)} requested returns ran out ({result.exhausted} "
            "requests repeated a code); raise BENCH_APPROVE_RETURNS"
        )
    time.sleep(SETTLE_SECONDS)
    approved = app.count_events(stage.database_url, "approve") - before
    answered = result.requests - result.unexpected
    if not answered <= approved <= result.requests + CONNECTIONS:
        raise HarnessError(f"wrk saw {answered} returns approved, the database gained {approved} approve events")
    log(
        f"approve: {answered} answers were 200 'approved', the database gained {approved} approve events "
        f"({len(remaining)} requested returns were available)"
    )
    return result


TARGET = Target(name=NAME, what=WHAT, label="approve", column="approve", measure=measure)
