"""The targets whose every request uses one row up: a requested return approved, an approved one
handed over, one received. They share how a run walks its rows, each once: enough rows seeded
through the API, the database settled, a warm-up, then the measured run over the rows still
unused, cross-checked against what the database gained."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from bench import app, wrk
from bench.common import CONNECTIONS, SETTLE_SECONDS, THREADS, HarnessError, Result, log
from bench.targets.base import Stage

Row = TypeVar("Row")


@dataclass(frozen=True)
class Walk(Generic[Row]):
    name: str
    what: str
    path: str
    rows: str  # what a row is, in the messages: "requested returns"
    setting: str  # the environment setting for how many: "BENCH_APPROVE_RETURNS"
    wanted: int
    available: Callable[[], Sequence[Row]]  # the unused rows, oldest first
    seed: Callable[[int], None]  # make this many more through the API
    script: Callable[[Sequence[Row]], Path]  # the wrk script walking these rows
    done: Callable[[], int]  # the database's count of what the requests did
    answers: str  # the answer that counts, in the messages: "200 'approved'"
    gained: str  # what ``done`` counts, in the messages: "approve events"


def walk_once(stage: Stage, walk: Walk[Row]) -> Result:
    """Measure ``walk``'s target over rows each used once; the run fails when a wrk thread ran out
    of rows, or when wrk's count of answers and the database's disagree."""
    available = walk.available()
    if len(available) < walk.wanted:
        log(f"{len(available)} {walk.rows}; making {walk.wanted - len(available)} more for {walk.name}")
        walk.seed(walk.wanted - len(available))
        available = walk.available()
    app.settle(stage.database_url)
    stage.wrk.warm_up(walk.name, walk.path, walk.script(available))
    remaining = walk.available()
    if len(remaining) < CONNECTIONS * THREADS:
        raise HarnessError(f"only {len(remaining)} {walk.rows} left after the warm-up; raise {walk.setting}")
    before = walk.done()
    result = stage.wrk.measure(walk.name, walk.what, walk.path, walk.script(remaining))
    if result.exhausted:
        raise HarnessError(
            f"{walk.name}: the {len(remaining)} {walk.rows} ran out ({result.exhausted} requests repeated a code);"
            f" raise {walk.setting}"
        )
    time.sleep(SETTLE_SECONDS)
    gained = walk.done() - before
    answered = result.requests - result.unexpected
    if not answered <= gained <= result.requests + CONNECTIONS:
        raise HarnessError(f"wrk saw {answered} answers {walk.answers}, the database gained {gained} {walk.gained}")
    log(
        f"{walk.name}: {answered} answers were {walk.answers}, the database gained {gained} {walk.gained}"
        f" ({len(remaining)} {walk.rows} were available)"
    )
    return result


def seller_script(
    stage: Stage, name: str, lua: str, codes: Sequence[str], sellers: Sequence[str], **more: object
) -> Path:
    """The wrk script of a walk whose requests each go with the key of the code's seller: the
    sellers' keys once (``authorizations``), and per code its seller's place among them
    (``owners``, from 1 as Lua counts), beside the codes (``items``) and what else the script reads."""
    keys = sorted(stage.seller_keys)
    owner = {seller: number + 1 for number, seller in enumerate(keys)}
    return wrk.script(
        name,
        lua,
        {
            "authorizations": [f"Bearer {stage.seller_keys[seller]}" for seller in keys],
            "items": list(codes),
            "owners": [owner[seller] for seller in sellers],
            **more,
        },
    )
