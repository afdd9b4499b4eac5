"""The targets whose every request uses one row up: a requested return approved, an approved one
handed over, one received, one refunded. They share how a run walks its rows, each once: enough
rows seeded through the API, the database settled, a warm-up, then the measured run over the rows
still unused (alone, or in turns with its bar's baseline), cross-checked against what the database
gained."""

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
class Tally:
    """How a measured run is checked against the database: its count of what the requests did."""

    count: Callable[[], int]
    answers: str  # the answer that counts, in the messages: "200 'approved'"
    gained: str  # what ``count`` counts, in the messages: "approve events"


def checked(name: str, result: Result, gained: int, tally: Tally) -> None:
    """Fail the run unless the database gained what wrk saw answered (wrk stops reading at each
    run's deadline: up to one request per connection is still in flight then)."""
    answered = result.requests - result.unexpected
    if not answered <= gained <= result.requests + CONNECTIONS * result.slices:
        raise HarnessError(
            f"{name}: wrk saw {answered} answers {tally.answers}, the database gained {gained} {tally.gained}"
        )
    log(f"{name}: {answered} answers were {tally.answers}, the database gained {gained} {tally.gained}")


@dataclass(frozen=True)
class Beside:
    """A bar's baseline measured in turns with the walk (``Wrk.in_turns``), and its own check."""

    turn: wrk.Turn
    tally: Tally


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
    tally: Tally  # the database's count of what the requests did


def walk_once(stage: Stage, walk: Walk[Row], beside: Beside | None = None) -> Result:
    """Measure ``walk``'s target over rows each used once, in turns with ``beside`` when given (its
    result's ``beside``); the run fails when a wrk thread ran out of rows, or when wrk's count of
    answers and the database's disagree."""
    available = walk.available()
    if len(available) < walk.wanted:
        log(f"{len(available)} {walk.rows}; making {walk.wanted - len(available)} more for {walk.name}")
        walk.seed(walk.wanted - len(available))
    app.settle(stage.database_url)

    def script() -> Path:
        remaining = walk.available()
        if len(remaining) < CONNECTIONS * THREADS:
            raise HarnessError(f"only {len(remaining)} {walk.rows} left; raise {walk.setting}")
        return walk.script(remaining)

    turns = [wrk.Turn(walk.name, walk.what, walk.path, script)] + ([beside.turn] if beside else [])
    tallies = [walk.tally] + ([beside.tally] if beside else [])
    result, *baseline = measured_and_checked(stage, turns, tallies)
    if result.exhausted:
        raise HarnessError(
            f"{walk.name}: the {walk.rows} ran out ({result.exhausted} requests repeated a code); raise {walk.setting}"
        )
    result.beside = baseline[0] if baseline else None
    return result


def measured_and_checked(stage: Stage, turns: Sequence[wrk.Turn], tallies: Sequence[Tally]) -> list[Result]:
    """Warm each turn up, then measure it alone, or them in turns (``Wrk.in_turns``), and check each
    against what the database gained meanwhile (``checked``)."""
    for turn in turns:
        stage.wrk.warm_up(turn.name, turn.path, turn.script())
    before = [tally.count() for tally in tallies]
    if len(turns) == 1:
        (turn,) = turns
        results = [stage.wrk.measure(turn.name, turn.what, turn.path, turn.script())]
    else:
        results = stage.wrk.in_turns(turns)
    time.sleep(SETTLE_SECONDS)
    for result, tally, counted in zip(results, tallies, before, strict=True):
        checked(result.name, result, tally.count() - counted, tally)
    return results


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
