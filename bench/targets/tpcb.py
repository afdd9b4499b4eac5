"""pgbench's built-in TPC-B-like script (three UPDATEs, a SELECT, an INSERT, a COMMIT): PostgreSQL's
own write ceiling, with the server's default ``synchronous_commit`` as the application has it. It
writes to the pgbench tables, hence after ``pgbench -S``, in the same database. No bar; it is the
denominator of create/TPC-B and approve/TPC-B.
"""

from __future__ import annotations

from bench.common import Result
from bench.pgbench import SCALE
from bench.targets.base import Stage, Target

NAME = "tpcb"
WHAT = f"pgbench TPC-B (read-write, scale {SCALE})"


def measure(stage: Stage) -> Result:
    """pgbench's failed transactions count as unexpected answers."""
    return stage.pgbench.measure(NAME, WHAT, [])


TARGET = Target(name=NAME, what=WHAT, label="TPC-B", column="TPC-B", measure=measure)
