"""``pgbench -S``: PostgreSQL's own select-only ceiling (one primary-key SELECT per transaction over
persistent connections), in the bench database, after ``pgbench -i`` at scale 10. No bar.

Named ``pgbench`` in results, ratios and the series records (verifier/pgbench, create/pgbench), as
the series already kept in docs/benchmarks.md name it.
"""

from __future__ import annotations

from bench.common import Result
from bench.pgbench import SCALE
from bench.targets.base import Stage, Target

NAME = "pgbench"
WHAT = f"pgbench -S (select-only, scale {SCALE})"


def prepare(stage: Stage) -> None:
    stage.pgbench.initialize()


def measure(stage: Stage) -> Result:
    """pgbench's failed transactions count as unexpected answers."""
    return stage.pgbench.measure(NAME, WHAT, ["-S"])


TARGET = Target(name=NAME, what=WHAT, label="pgbench", column="pgbench -S", measure=measure, prepare=prepare)
