"""Running wrk: its Lua script (bench/lua/ with the run's data), a warm-up, the measured run, its output.

A target's script is bench/lua/<script>.lua, after the data it needs (keys, codes, bodies) as Lua
globals and before bench/lua/counting.lua, which counts the expected answers and the others.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import CONNECTIONS, OUT, SETTLE_SECONDS, THREADS, HarnessError, Result, Settings, log, number, run
from bench.cpu import CpuMeter

LUA = Path(__file__).resolve().parent / "lua"
TIMEOUT = "10s"
# The units wrk writes its latencies and its run time in, in milliseconds.
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}

LuaValue = str | int | Sequence[str] | Sequence[int]


def lua_literal(value: LuaValue) -> str:
    """A string, a number or a list of them as a Lua literal (JSON's string escapes are Lua's too)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    return "{" + ", ".join(lua_literal(item) for item in value) + "}"


def script(name: str, lua: str, data: Mapping[str, LuaValue]) -> Path:
    """Write bench/out/<name>.lua: ``data`` as globals, bench/lua/<lua>.lua, then the counting part."""
    globals_ = {"thread_count": THREADS, **data}
    prelude = "".join(f"{key} = {lua_literal(value)}\n" for key, value in globals_.items())
    path = OUT / f"{name}.lua"
    path.write_text(prelude + (LUA / f"{lua}.lua").read_text() + (LUA / "counting.lua").read_text())
    return path


def _latency_ms(output: str, percentile: str) -> float:
    found = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not found:
        raise HarnessError(f"no {percentile}% latency in wrk's output:\n{output}")
    return float(found.group(1)) * _UNITS_MS[found.group(2)]


def _seconds(output: str) -> float:
    found = re.search(r"\d+ requests in ([\d.]+)(us|ms|s|m),", output)
    if not found:
        raise HarnessError(f"no run time in wrk's output:\n{output}")
    return float(found.group(1)) * _UNITS_MS[found.group(2)] / 1000


def parse(name: str, what: str, output: str) -> Result:
    """wrk's figures and the counting script's check line."""
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    check = re.search(r"BENCH_CHECK expected=(\d+) unexpected=(\d+)", output)
    if not check:
        raise HarnessError(f"the wrk script for {name} reported no counts (a Lua error?):\n{output}")
    non_2xx = int(number(r"Non-2xx or 3xx responses: (\d+)", output, default="0"))
    return Result(
        name=name,
        what=what,
        rps=number(r"Requests/sec:\s+([\d.]+)", output),
        p50_ms=_latency_ms(output, "50"),
        p99_ms=_latency_ms(output, "99"),
        requests=int(number(r"(\d+) requests in", output)),
        seconds=_seconds(output),
        unexpected=max(int(check.group(2)), non_2xx),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        exhausted=int(number(r"BENCH_CHECK .* exhausted=(\d+)", output, default="0")),
    )


@dataclass(frozen=True)
class Wrk:
    """wrk against the bench's server: 2 threads, 16 connections, the meter of other processes' CPU."""

    path: str
    base: str
    meter: CpuMeter
    settings: Settings

    def _args(self, script_path: Path, seconds: int, url_path: str) -> list[str]:
        return [
            self.path,
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            TIMEOUT,
            "--latency",
            "-s",
            str(script_path),
            self.base + url_path,
        ]

    def warm_up(self, name: str, url_path: str, script_path: Path) -> None:
        """Wait for a quiet machine, a short unmeasured run, then a pause for the requests left in flight."""
        self.meter.wait_for_quiet()
        if self.settings.warmup_seconds > 0:
            run(self._args(script_path, self.settings.warmup_seconds, url_path), what=f"wrk warm-up of {name}")
            time.sleep(SETTLE_SECONDS)

    def measure(self, name: str, what: str, url_path: str, script_path: Path, *, seconds: int | None = None) -> Result:
        """The measured run, BENCH_SECONDS long unless told (raw output added to bench/out/<name>.wrk.txt:
        every measured run of the target, slices and runs measured again included)."""
        seconds = seconds or self.settings.seconds
        log(f"measuring {name} for {seconds} s")
        args = self._args(script_path, seconds, url_path)
        output, other_cpu = self.meter.measure(lambda: run(args, what=f"wrk run of {name}"))
        with (OUT / f"{name}.wrk.txt").open("a") as raw:
            raw.write(output)
        sample = re.search(r"BENCH_FIRST_BAD (.*)", output)
        if sample:
            log(f"{name}: first unexpected answer: {sample.group(1)}")
        result = parse(name, what, output)
        result.other_cpu = other_cpu
        return result

    def warm_up_and_measure(self, name: str, what: str, url_path: str, script_path: Path) -> Result:
        self.warm_up(name, url_path, script_path)
        return self.measure(name, what, url_path, script_path)

    def in_turns(self, turns: Sequence[Turn]) -> list[Result]:
        """Measure ``turns`` (warmed up already) in alternation: BENCH_ROUNDS rounds, each a slice of
        every turn in order, BENCH_SECONDS / BENCH_ROUNDS long, so that the targets a bar compares
        see the same machine and the same database; answers each one's slices together."""
        seconds = self.settings.slice_seconds
        slices: list[list[Result]] = [[] for _ in turns]
        for _ in range(self.settings.rounds):
            for turn, kept in zip(turns, slices, strict=True):
                kept.append(self.measure(turn.name, turn.what, turn.path, turn.script(), seconds=seconds))
                time.sleep(SETTLE_SECONDS)
        return [together(turn, kept) for turn, kept in zip(turns, slices, strict=True)]


@dataclass(frozen=True)
class Turn:
    """A target measured in turns with another (``Wrk.in_turns``): each slice gets a fresh script,
    so that a walk's starts at the rows still unused."""

    name: str
    what: str
    path: str
    script: Callable[[], Path]


def together(turn: Turn, slices: Sequence[Result]) -> Result:
    """One target's slices as one measurement: requests/s over their whole time; p50 the median of
    theirs and p99 the highest (wrk keeps no histogram to merge); the other processes' CPU share
    averaged over their time."""
    elapsed = sum(r.seconds for r in slices)
    requests = sum(r.requests for r in slices)
    return Result(
        name=turn.name,
        what=turn.what,
        rps=requests / elapsed,
        p50_ms=statistics.median(r.p50_ms for r in slices),
        p99_ms=max(r.p99_ms for r in slices),
        requests=requests,
        unexpected=sum(r.unexpected for r in slices),
        socket_errors=sum(r.socket_errors for r in slices),
        other_cpu=sum(r.other_cpu * r.seconds for r in slices) / elapsed,
        exhausted=sum(r.exhausted for r in slices),
        seconds=elapsed,
        slices=len(slices),
    )
