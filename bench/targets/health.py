"""``GET /api/v1/health``: the trivial endpoint, gunicorn + Django + django-ninja with no key and no
database. The floor of what one request costs here; the verifier's bar is a share of it."""

from __future__ import annotations

from bench import wrk
from bench.common import Result
from bench.targets.base import Stage, Target

NAME = "health"
WHAT = "GET /api/v1/health (trivial)"


def measure(stage: Stage) -> Result:
    """Only 200 with ``"ok"`` counts."""
    script = wrk.script(NAME, "health", {})
    return stage.wrk.warm_up_and_measure(NAME, WHAT, "/api/v1/health", script)


TARGET = Target(name=NAME, what=WHAT, label="health", column="health", measure=measure)
