"""What every part of the bench shares: paths, the settings from the environment, the two errors,
the result of one measurement, logging and running a command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent
COMMAND = "make bench"
INVOCATION = ".venv/bin/python -m bench"

CONNECTIONS, THREADS = 16, 2
WORKERS = (os.cpu_count() or 1) * 2
BUSY_WARNING = 0.10  # other processes taking more of the CPU than this make a run suspect
SETTLE_SECONDS = 2  # for the server to finish the requests wrk left in flight


class HarnessError(Exception):
    """The benchmark could not run, or its answers were not the expected ones."""


class DisturbedRun(Exception):
    """A run of a series during which other processes took the CPU: printed, but not kept."""


@dataclass(frozen=True)
class Settings:
    """The run's settings, from BENCH_* environment variables (bench/README.md lists them)."""

    admin_url: str = "postgres://postgres@127.0.0.1:5432/postgres"
    redis_url: str = ""
    seconds: int = 15
    warmup_seconds: int = 3
    orders: int = 300
    quiet_wait: int = 60
    approve_returns: int = 9000
    handover_returns: int = 20000
    receive_returns: int = 4000
    refund_returns: int = 5000
    retries: int = 2
    rounds: int = 5
    series: str = ""

    @property
    def slice_seconds(self) -> int:
        """How long each slice of targets measured in turns runs (``Wrk.in_turns``)."""
        return max(1, self.seconds // self.rounds)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        def whole(name: str, default: int) -> int:
            value = environ.get(name, str(default))
            try:
                return int(value)
            except ValueError:
                raise HarnessError(f"{name} must be a whole number, not {value!r}") from None

        defaults = cls()
        if whole("BENCH_ROUNDS", defaults.rounds) < 1:
            raise HarnessError("BENCH_ROUNDS must be at least 1")
        return cls(
            admin_url=environ.get("BENCH_POSTGRES_URL", defaults.admin_url),
            redis_url=environ.get("BENCH_REDIS_URL", ""),
            seconds=whole("BENCH_SECONDS", defaults.seconds),
            warmup_seconds=whole("BENCH_WARMUP_SECONDS", defaults.warmup_seconds),
            orders=whole("BENCH_ORDERS", defaults.orders),
            quiet_wait=whole("BENCH_QUIET_WAIT", defaults.quiet_wait),
            approve_returns=whole("BENCH_APPROVE_RETURNS", defaults.approve_returns),
            handover_returns=whole("BENCH_HANDOVER_RETURNS", defaults.handover_returns),
            receive_returns=whole("BENCH_RECEIVE_RETURNS", defaults.receive_returns),
            refund_returns=whole("BENCH_REFUND_RETURNS", defaults.refund_returns),
            retries=whole("BENCH_RETRIES", defaults.retries),
            rounds=whole("BENCH_ROUNDS", defaults.rounds),
            series=environ.get("BENCH_SERIES", "").strip(),
        )


@dataclass
class Result:
    """One target's measured run."""

    name: str
    what: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    unexpected: int = 0
    socket_errors: int = 0
    other_cpu: float = 0.0
    exhausted: int = 0
    attempts: int = 1
    seconds: float = 0.0  # how long the measured run took, by wrk's count (0 for pgbench's)
    slices: int = 1  # measured runs it sums (more than one when measured in turns with another target)
    # The bar's baseline, measured in turns with this target (``Wrk.in_turns``); its ratio is judged on it.
    beside: Result | None = None

    def runs(self) -> list[Result]:
        """This measurement and the baseline measured in turns with it: what every check of a
        run's validity (answers, other processes' CPU) looks at."""
        return [self] if self.beside is None else [self, self.beside]


def number(pattern: str, output: str, *, default: str | None = None) -> float:
    """The first group of ``pattern`` in a tool's output, as a number."""
    found = re.search(pattern, output)
    if found:
        return float(found.group(1))
    if default is not None:
        return float(default)
    raise HarnessError(f"the output has no {pattern!r}:\n{output}")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(args: list[str], *, env: dict[str, str] | None = None, what: str) -> str:
    """Run a command to completion and return its stdout; a failure is a harness error."""
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise HarnessError(f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout
