"""``POST /api/v1/returns/{code}/approve``: one lifecycle transition, each seller approving its own
requested returns with its seller key, every request a valid approval (each code once).

The returns the creation run left requested are used first; more are opened through the API (one
unit of line L1, round-robin over the orders) until BENCH_APPROVE_RETURNS are available. The
warm-up approves some; the measured run walks those still requested after it. No bar; approve/TPC-B
is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench import app
from bench.common import Result
from bench.targets.base import Stage, Target
from bench.targets.walk import Tally, Walk, seller_script, walk_once

NAME = "approve"
WHAT = "POST /api/v1/returns/{code}/approve (seller)"
PATH = "/api/v1/returns"


def _script(stage: Stage, returns: Sequence[tuple[str, str]]) -> Path:
    return seller_script(stage, NAME, "approve", [code for code, _ in returns], [seller for _, seller in returns])


def measure(stage: Stage) -> Result:
    """Only 200 with ``"status": "approved"`` counts, each requested return approved once."""
    url = stage.database_url
    return walk_once(
        stage,
        Walk(
            name=NAME,
            what=WHAT,
            path=PATH,
            rows="requested returns",
            setting="BENCH_APPROVE_RETURNS",
            wanted=stage.settings.approve_returns,
            available=lambda: app.returns_in(url, "requested"),
            seed=lambda count: app.seed_requested(stage.base, stage.platform_key, count, stage.settings.orders),
            script=lambda returns: _script(stage, returns),
            tally=Tally(
                count=lambda: app.count_events(url, "approve"), answers="200 'approved'", gained="approve events"
            ),
        ),
    )


TARGET = Target(name=NAME, what=WHAT, label="approve", column="approve", measure=measure)
