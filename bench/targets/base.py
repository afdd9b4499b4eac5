"""What a target is, and the stage every target measures on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.common import Result, Settings
from bench.pgbench import Pgbench
from bench.wrk import Wrk


@dataclass(frozen=True)
class Stage:
    """The run's settings, the served application with its database, keys and seeded approved codes,
    and the tools that drive the load."""

    settings: Settings
    base: str
    database_url: str
    platform_key: str
    carrier_key: str
    seller_keys: dict[str, str]
    codes: list[str]
    wrk: Wrk
    pgbench: Pgbench


@dataclass(frozen=True)
class Bar:
    """The share of another target's throughput, in the same run, a target must sustain.

    The report says PASS or FAIL for it; either way the run succeeds (exit status 0).
    """

    of: str  # the other target's name
    at_least: float
    subject: str  # how the verdict names this target ...
    baseline: str  # ... and the other one


@dataclass(frozen=True)
class Target:
    """One measured target: ``measure`` runs its warm-up and measured run (again if the machine was
    busy); ``prepare``, when given, runs once before."""

    name: str  # its key in results, ratios, series records and bench/out/ files
    what: str  # its row in the results table
    label: str  # its name in ratios
    column: str  # its column in a series' table
    measure: Callable[[Stage], Result]
    prepare: Callable[[Stage], None] | None = None
    bar: Bar | None = None
