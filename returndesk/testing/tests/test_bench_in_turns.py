"""The bench's bars judged on their baselines measured in turns with them: the slices alternate,
one target's slices sum to one measurement, and the ratio, the verdict, the table and a series
use the baseline measured in turns (a series kept before keeps its own ratios)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path

import pytest

from bench import report, wrk
from bench.__main__ import retried
from bench.common import HarnessError, Result, Settings
from bench.cpu import CpuMeter
from bench.targets import TARGETS
from bench.targets.walk import Tally, checked

SETTINGS = Settings(seconds=15, rounds=5)


def result(name: str, rps: float, *, seconds: float = 15.0, **more: float) -> Result:
    """A measured run of ``rps`` requests/s for ``seconds``, p50 10 ms, p99 20 ms."""
    figures = {"p50_ms": 10.0, "p99_ms": 20.0} | more
    return Result(name=name, what=f"the {name}", rps=rps, requests=round(rps * seconds), seconds=seconds, **figures)  # type: ignore[arg-type]


def test_slices_sum_to_one_measurement_over_their_whole_time() -> None:
    turn = wrk.Turn("handover", "the handover", "/api/v1/dropoffs", lambda: Path("unused.lua"))
    slices = [
        result("handover", 600.0, seconds=3.0, p50_ms=20.0, p99_ms=40.0, other_cpu=0.0),
        result("handover", 300.0, seconds=2.0, p50_ms=30.0, p99_ms=90.0, other_cpu=0.3, unexpected=1),
        result("handover", 400.0, seconds=4.0, p50_ms=25.0, p99_ms=50.0, other_cpu=0.0, exhausted=2),
    ]

    together = wrk.together(turn, slices)

    # 4,000 requests in 3 + 2 + 4 seconds (not the mean of the slices' rates, 433); the second
    # slice's 30% over two of the nine seconds (not a third of it).
    assert (together.name, together.what, together.requests, together.slices) == ("handover", "the handover", 4000, 3)
    assert together.rps == pytest.approx(4000 / 9)
    assert together.seconds == 9.0
    assert (together.p50_ms, together.p99_ms) == (25.0, 90.0)
    assert together.other_cpu == pytest.approx(0.6 / 9)
    assert (together.unexpected, together.exhausted, together.socket_errors) == (1, 2, 0)


def test_turns_alternate_in_rounds_each_slice_with_a_fresh_script(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[tuple[str, str, int | None]] = []
    scripts = {"handover": 0, "create": 0}

    def script(name: str) -> Path:
        scripts[name] += 1
        return Path(f"{name}-{scripts[name]}.lua")

    def measure(
        self: wrk.Wrk, name: str, what: str, path: str, script_path: Path, *, seconds: int | None = None
    ) -> Result:
        measured.append((name, script_path.name, seconds))
        # The machine slows down round after round; both targets see it alike.
        return result(name, (600.0 if name == "handover" else 400.0) / len(measured), seconds=3.0)

    monkeypatch.setattr(wrk.Wrk, "measure", measure)
    monkeypatch.setattr(wrk, "SETTLE_SECONDS", 0)
    runner = wrk.Wrk(
        path="wrk", base="http://127.0.0.1:1", meter=CpuMeter(server_pid=0, markers=(), quiet_wait=0), settings=SETTINGS
    )
    turns = [wrk.Turn(name, f"the {name}", "/", functools.partial(script, name)) for name in ("handover", "create")]

    handover, create = runner.in_turns(turns)

    assert measured == [(name, f"{name}-{round_}.lua", 3) for round_ in range(1, 6) for name in ("handover", "create")]
    assert (handover.slices, create.slices, handover.seconds, create.seconds) == (5, 5, 15.0, 15.0)
    assert handover.requests == sum(round(600 * 3 / n) for n in (1, 3, 5, 7, 9))
    assert create.requests == sum(round(400 * 3 / n) for n in (2, 4, 6, 8, 10))


def _results(*, beside: bool) -> dict[str, Result]:
    results = {target.name: result(target.name, 100.0) for target in TARGETS}
    results["create"] = result("create", 400.0)
    results["handover"] = result("handover", 560.0)
    results["refund"] = result("refund", 120.0)
    if beside:
        results["handover"].beside = result("create-beside-handover", 350.0)
        results["refund"].beside = result("create-beside-refund", 300.0)
    return results


def test_a_bar_is_judged_on_its_baseline_measured_in_turns() -> None:
    bench_report = report.Report(settings=SETTINGS, targets=TARGETS)
    results = _results(beside=True)

    ratios = dict(bench_report.ratios(results))
    verdicts = bench_report.verdicts(results)
    table = bench_report.table(results)

    assert ratios["handover/create (in turns)"] == pytest.approx(1.6)
    assert ratios["refund/create (in turns)"] == pytest.approx(0.4)
    assert ratios["receive/create"] == pytest.approx(0.25)  # no bar: over creation's own run
    assert "PASS: the handover sustains 160% of return creation's throughput (required: at least 150%)" in verdicts
    rows = [line.split(" | ")[0] for line in table.splitlines()]
    assert rows.index("| the create-beside-handover") == rows.index("| the handover") + 1
    # Without the baseline measured in turns, the bar is over the baseline's own run: 1.4, FAIL.
    assert "FAIL: the handover sustains 140%" in " ".join(bench_report.verdicts(_results(beside=False)))


def test_a_series_keeps_the_baselines_measured_in_turns_and_older_runs_their_own_ratios() -> None:
    bench_report = report.Report(settings=SETTINGS, targets=TARGETS)
    entry = bench_report.series_entry(
        _results(beside=True), {"returndesk": "commit abc1234"}, dt.datetime(2026, 12, 6, 20, 0)
    )
    before = {key: value for key, value in entry.items() if key != "beside"}

    section = bench_report.series_section("S", [before, entry])

    assert entry["beside"] == {"handover": 350.0, "refund": 300.0}
    lines = section.splitlines()
    header = lines[next(i for i, line in enumerate(lines) if line.startswith("| Run |"))].split(" | ")
    first = next(line for line in lines if line.startswith("| 1 |")).split(" | ")
    second = next(line for line in lines if line.startswith("| 2 |")).split(" | ")
    turns = header.index("create in turns with handover (req/s)")
    ratio = header.index("handover/create (in turns)")
    assert (first[turns], second[turns]) == ("-", "350")
    assert (first[ratio], second[ratio]) == ("1.4", "1.6")


@pytest.mark.parametrize(
    ("gained", "valid"),
    [(5990, False), (5995, True), (6000 + 16 * 5, True), (6000 + 16 * 5 + 1, False)],
)
def test_a_run_in_turns_is_checked_against_the_database_with_one_request_per_connection_and_slice_in_flight(
    gained: int, valid: bool
) -> None:
    measured = dataclasses.replace(result("create", 400.0), unexpected=5, slices=5)  # 6,000 requests, 5,995 answered
    tally = Tally(count=lambda: 0, answers="201", gained="returns")

    if valid:
        checked("create", measured, gained, tally)
    else:
        with pytest.raises(HarnessError, match="the database gained"):
            checked("create", measured, gained, tally)


def test_the_baseline_measured_in_turns_counts_in_the_runs_validity(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    quiet, busy = result("handover", 560.0), result("handover", 560.0)
    busy.beside = result("create-beside-handover", 350.0, other_cpu=0.2)
    quiet.beside = result("create-beside-handover", 380.0)
    attempts = iter([busy, quiet])
    monkeypatch.setattr(report, "ROOT", tmp_path)
    monkeypatch.setattr(report, "DOC", tmp_path / "benchmarks.md")
    results = _results(beside=True)
    results["refund"].beside = dataclasses.replace(results["refund"].beside, unexpected=3)  # type: ignore[type-var]

    again = retried(lambda: next(attempts), retries=2)

    assert (again, again.attempts) == (quiet, 2)
    with pytest.raises(HarnessError, match="create-beside-refund"):
        report.Report(settings=SETTINGS, targets=TARGETS).publish(results, {"returndesk": "commit abc1234"})
    assert not (tmp_path / "benchmarks.md").exists()


def test_rounds_below_one_are_refused() -> None:
    with pytest.raises(HarnessError, match="BENCH_ROUNDS"):
        Settings.from_environment({"BENCH_ROUNDS": "0"})
