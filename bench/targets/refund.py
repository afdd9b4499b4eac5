"""``POST /api/v1/returns/{code}/refund``: refund issuance, each request the default refund of a
fresh inspected return, with the key of the return's seller and an Idempotency-Key of its own (the
route requires one), paid back through the fake gateway (``app.app_env``), every request a valid
refund (each code once).

The returns the receive run received are inspected first; more are opened, approved, received and
inspected through the API (one unit of line L1, round-robin over the orders) until
BENCH_REFUND_RETURNS are available. A refund locks the order, the return, the order's lines and
payments, writes the refund, its line, its transaction and the running totals, moves the return to
``refunding`` and commits; then, in the same request, the fake gateway's attempt is recorded in a
second transaction, whose success settles the return. Its bar: at least 0.3 times the return
creation of the same run (issue 9), measured in turns with it (``create.beside``); refund/create is
reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench import app
from bench.common import Result
from bench.targets import create
from bench.targets.base import Bar, Stage, Target
from bench.targets.walk import Tally, Walk, seller_script, walk_once

NAME = "refund"
WHAT = "POST /api/v1/returns/{code}/refund (seller, fake gateway, Idempotency-Key)"
PATH = "/api/v1/returns"


def _script(stage: Stage, returns: Sequence[tuple[str, str]]) -> Path:
    return seller_script(stage, NAME, "refund", [code for code, _ in returns], [seller for _, seller in returns])


def measure(stage: Stage) -> Result:
    """Only 200 with the refund (``"kind": "refund"``) counts, each inspected return refunded once."""
    url = stage.database_url
    settings = stage.settings
    return walk_once(
        stage,
        Walk(
            name=NAME,
            what=WHAT,
            path=PATH,
            rows="inspected returns",
            setting="BENCH_REFUND_RETURNS",
            wanted=settings.refund_returns,
            available=lambda: app.returns_in(url, "inspected"),
            seed=lambda count: app.seed_inspected(
                stage.base, stage.platform_key, stage.seller_keys, count=count, orders=settings.orders, url=url
            ),
            script=lambda returns: _script(stage, returns),
            tally=Tally(count=lambda: app.count_refunds(url), answers="200 with the refund", gained="refunds"),
        ),
        beside=create.beside(stage, NAME),
    )


TARGET = Target(
    name=NAME,
    what=WHAT,
    label="refund",
    column="refund",
    measure=measure,
    bar=Bar(of="create", at_least=0.3, subject="refund issuance", baseline="return creation"),
)
