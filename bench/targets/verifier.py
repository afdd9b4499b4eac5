"""``GET /api/v1/codes/{code}``: the verifier with a carrier key, cycling over the seeded approved
codes: authentication, the failure rate-limit check, the look-up, the rendering.

Its bar: at least 40% of the health endpoint's throughput in the same run (the contract's line).
Issue 5's acceptance is stricter and judged over a series: the median verifier/health of three runs
at least 43%.
"""

from __future__ import annotations

from bench import wrk
from bench.common import Result
from bench.targets.base import Bar, Stage, Target

NAME = "verifier"
WHAT = "GET /api/v1/codes/{code} (carrier)"


def measure(stage: Stage) -> Result:
    """Only 200 with ``"result": "valid"`` counts. Only approved codes are asked about, so the failure
    rate limit never triggers (valid answers do not count as failures)."""
    script = wrk.script(NAME, "verifier", {"authorization": f"Bearer {stage.carrier_key}", "items": stage.codes})
    return stage.wrk.warm_up_and_measure(NAME, WHAT, "/api/v1/codes", script)


TARGET = Target(
    name=NAME,
    what=WHAT,
    label="verifier",
    column="verifier",
    measure=measure,
    bar=Bar(of="health", at_least=0.40, subject="the verifier", baseline="the health endpoint"),
)
