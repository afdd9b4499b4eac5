"""The targets, in the order they run: one module each, declaring what it measures and its bar.

TPC-B writes to the tables ``pgbench -S`` reads, so it runs after it; approve uses the returns the
creation run left requested, so it runs after creation; receive uses the returns left approved.
"""

from __future__ import annotations

from bench.targets import approve, create, health, pgbench_select, receive, tpcb, verifier
from bench.targets.base import Bar, Stage, Target

__all__ = ["TARGETS", "Bar", "Stage", "Target"]

TARGETS: tuple[Target, ...] = (
    health.TARGET,
    verifier.TARGET,
    create.TARGET,
    approve.TARGET,
    receive.TARGET,
    pgbench_select.TARGET,
    tpcb.TARGET,
)
