"""The targets, in the order they run: one module each, declaring what it measures and its bar.

TPC-B writes to the tables ``pgbench -S`` reads, so it runs after it; approve uses the returns the
creation run left requested, so it runs after creation; handover the returns approve approved (and
the verifier's), so it runs after both; receive the approved returns left after that; refund the
returns receive received (inspected first). Order and returnable read the seeded orders side by
side, before the writing targets add their returns.
"""

from __future__ import annotations

from bench.targets import (
    approve,
    create,
    handover,
    health,
    order,
    pgbench_select,
    receive,
    refund,
    returnable,
    tpcb,
    verifier,
)
from bench.targets.base import Bar, Stage, Target

__all__ = ["TARGETS", "Bar", "Stage", "Target"]

TARGETS: tuple[Target, ...] = (
    health.TARGET,
    verifier.TARGET,
    order.TARGET,
    returnable.TARGET,
    create.TARGET,
    approve.TARGET,
    handover.TARGET,
    receive.TARGET,
    refund.TARGET,
    pgbench_select.TARGET,
    tpcb.TARGET,
)
