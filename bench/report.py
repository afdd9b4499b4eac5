"""The report: the results table, the ratios, each bar's verdict, a series of runs (BENCH_SERIES),
printed and written to docs/benchmarks.md. Its prose is in bench/report.md.tmpl."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from string import Template

from bench import app, pgbench
from bench.common import (
    BUSY_WARNING,
    COMMAND,
    CONNECTIONS,
    DOC,
    INVOCATION,
    ROOT,
    THREADS,
    WORKERS,
    DisturbedRun,
    HarnessError,
    Result,
    Settings,
    run,
)
from bench.targets import Bar, Target

TEMPLATE = Path(__file__).resolve().parent / "report.md.tmpl"
_FRAGMENT = re.compile(r"^<!-- template: (\w+) -->\n", re.MULTILINE)
SERIES_MARK = re.compile(r"^<!-- bench-series: (.*) -->$", re.MULTILINE)

RATIOS = (
    ("verifier", "health"),
    ("create", "health"),
    ("approve", "health"),
    ("verifier", "pgbench"),
    ("create", "pgbench"),
    ("create", "tpcb"),
    ("approve", "tpcb"),
    ("handover", "verifier"),
    ("handover", "create"),
    ("receive", "create"),
    ("refund", "create"),
    ("returnable", "order"),
)
SERIES_RATIOS = (
    ("verifier", "health"),
    ("create", "tpcb"),
    ("approve", "tpcb"),
    ("handover", "create"),
    ("handover", "verifier"),
    ("receive", "create"),
    ("refund", "create"),
    ("returnable", "order"),
)

Run = dict[str, object]  # one run of a series, as kept in the document


@functools.cache
def _fragments() -> dict[str, Template]:
    parts = _FRAGMENT.split(TEMPLATE.read_text())
    return {name: Template(body.strip("\n")) for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def fill(fragment: str, **values: object) -> str:
    """A fragment of bench/report.md.tmpl, filled (a placeholder left unfilled is an error)."""
    return _fragments()[fragment].substitute(values)


def _percent(share: float) -> str:
    return f"{share:.0%}"


def machine(url: str, wrk: str, pgbench_path: str) -> dict[str, str]:
    """The machine, the software versions and the code measured."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False).stdout.split()
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": cpu,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": metadata.version("django"),
        "django-ninja": metadata.version("django-ninja"),
        "gunicorn": metadata.version("gunicorn"),
        "PostgreSQL": app.server_version(url),
        "wrk": " ".join(wrk_version[:2]) or "unknown",
        "pgbench": run([pgbench_path, "--version"], what="pgbench --version").strip(),
        "returndesk": revision(),
    }


def revision() -> str:
    """The commit measured, and whether the product code had uncommitted changes."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    head = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [git, "status", "--porcelain", "--", "returndesk"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"commit {head or 'unknown'}" + (" with uncommitted changes in returndesk/" if dirty else "")


def previous_series() -> tuple[str, list[Run]]:
    """The series kept in the current document: its title and its runs (none: "", [])."""
    found = SERIES_MARK.search(DOC.read_text()) if DOC.exists() else None
    if not found:
        return "", []
    kept = json.loads(found.group(1))
    return str(kept["title"]), list(kept["runs"])


def _every_run(results: dict[str, Result]) -> list[Result]:
    """Every measured run: each target's, and after it the baseline measured in turns with it."""
    return [run for result in results.values() for run in result.runs()]


@dataclass(frozen=True)
class Report:
    """The report of one run of ``targets`` with ``settings``."""

    settings: Settings
    targets: tuple[Target, ...]

    def ratio_name(self, top: str, bottom: str) -> str:
        labels = {target.name: target.label for target in self.targets}
        return f"{labels[top]}/{labels[bottom]}"

    def _bars(self) -> dict[str, Bar]:
        return {target.name: target.bar for target in self.targets if target.bar}

    def _in_turns(self, top: str, bottom: str) -> bool:
        """Whether ``top``'s ratio to ``bottom`` is its bar's, judged on the baseline measured in turns with it."""
        bar = self._bars().get(top)
        return bar is not None and bar.of == bottom

    def _beside(self, results: dict[str, Result], top: str, bottom: str) -> Result | None:
        """``bottom`` measured in turns with ``top``, when it was its bar's baseline so measured."""
        return results[top].beside if self._in_turns(top, bottom) else None

    def ratio(self, results: dict[str, Result], top: str, bottom: str) -> float:
        """``top``'s throughput over ``bottom``'s; over the baseline measured in turns with it, if it was."""
        return results[top].rps / (self._beside(results, top, bottom) or results[bottom]).rps

    def ratios(self, results: dict[str, Result]) -> list[tuple[str, float]]:
        def name(top: str, bottom: str) -> str:
            turns = self._beside(results, top, bottom) is not None
            return self.ratio_name(top, bottom) + (" (in turns)" if turns else "")

        return [(name(top, bottom), self.ratio(results, top, bottom)) for top, bottom in RATIOS]

    def _verifier_bar(self) -> str:
        return _percent(self._bars()["verifier"].at_least)

    def setup_line(self) -> str:
        settings = self.settings
        return fill(
            "setup",
            workers=WORKERS,
            counters="Redis" if settings.redis_url else "PostgreSQL",
            threads=THREADS,
            connections=CONNECTIONS,
            seconds=settings.seconds,
            warmup=settings.warmup_seconds,
            scale=pgbench.SCALE,
            orders=settings.orders,
            approve_returns=settings.approve_returns,
            sellers=app.SELLERS,
            rounds=settings.rounds,
            slice=settings.slice_seconds,
        )

    @staticmethod
    def table(results: dict[str, Result]) -> str:
        rows = [
            "| Target | Requests/s | p50 (ms) | p99 (ms) | Requests | Unexpected answers | Socket errors "
            "| Other processes' CPU |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        rows += [
            f"| {r.what} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.requests:,} | {r.unexpected} "
            f"| {r.socket_errors} | {r.other_cpu:.0%} |"
            for r in _every_run(results)
        ]
        return "\n".join(rows)

    def verdicts(self, results: dict[str, Result]) -> list[str]:
        """PASS or FAIL for each target's bar."""
        lines = []
        for target in self.targets:
            if target.bar is None:
                continue
            share = self.ratio(results, target.name, target.bar.of)
            lines.append(
                fill(
                    "verdict",
                    outcome="PASS" if share >= target.bar.at_least else "FAIL",
                    subject=target.bar.subject,
                    share=_percent(share),
                    baseline=target.bar.baseline,
                    bar=_percent(target.bar.at_least),
                )
            )
        return lines

    @staticmethod
    def retries_line(results: dict[str, Result]) -> str | None:
        again = {r.name: r.attempts for r in results.values() if r.attempts > 1}
        return fill("retries", busy=_percent(BUSY_WARNING), again=again) if again else None

    @staticmethod
    def busy_warning(results: dict[str, Result]) -> str | None:
        busy = {r.name: _percent(r.other_cpu) for r in _every_run(results) if r.other_cpu > BUSY_WARNING}
        return fill("busy", busy=_percent(BUSY_WARNING), which=busy) if busy else None

    def series_entry(self, results: dict[str, Result], info: dict[str, str], when: dt.datetime) -> Run:
        """The key figures of this run, as kept (exactly, in a comment) in the series section of the document."""
        return {
            "when": f"{when:%Y-%m-%d %H:%M}",
            "revision": info["returndesk"],
            "rps": {target.name: results[target.name].rps for target in self.targets},
            "beside": {name: result.beside.rps for name, result in results.items() if result.beside is not None},
            "other_cpu": round(max(r.other_cpu for r in _every_run(results)), 3),
        }

    def series_section(self, title: str, runs: list[Run]) -> str:
        """Each run's requests/s and key ratios, and their medians."""

        def beside_of(kept: Run) -> dict[str, float]:
            # The bars' baselines measured in turns with their targets (a run kept before bars were
            # measured in turns has none: its bar's ratio is over the baseline's own run).
            beside = kept.get("beside") or {}
            assert isinstance(beside, dict)
            return {str(name): float(rps) for name, rps in beside.items()}

        paired = [target for target in self.targets if any(target.name in beside_of(kept) for kept in runs)]
        count = len(self.targets) + len(paired)

        def ratio_heading(top: str, bottom: str) -> str:
            in_turns = any(target.name == top for target in paired) and self._in_turns(top, bottom)
            return self.ratio_name(top, bottom) + (" (in turns)" if in_turns else "")

        def figures(kept: Run) -> list[float | None]:
            # A run kept before a target existed has no figure for it (nor for its ratios).
            rps = kept["rps"]
            assert isinstance(rps, dict)
            own = {name: float(value) for name, value in rps.items()}
            beside = beside_of(kept)

            def ratio(top: str, bottom: str) -> float | None:
                if top not in own or bottom not in own:
                    return None
                in_turns = top in beside and self._in_turns(top, bottom)
                return own[top] / (beside[top] if in_turns else own[bottom])

            return (
                [own.get(target.name) for target in self.targets]
                + [beside.get(target.name) for target in paired]
                + [ratio(top, bottom) for top, bottom in SERIES_RATIOS]
            )

        def cells(values: list[float | None]) -> list[str]:
            return [
                "-" if value is None else f"{value:,.0f}" if column < count else f"{value:.3g}"
                for column, value in enumerate(values)
            ]

        def median(column: tuple[float | None, ...]) -> float | None:
            known = [value for value in column if value is not None]
            return statistics.median(known) if known else None

        header = (
            ["Run", "Measured (UTC)", "Code"]
            + [f"{target.column} (req/s)" for target in self.targets]
            + [f"{target.bar.of} in turns with {target.column} (req/s)" for target in paired if target.bar]
            + [ratio_heading(top, bottom) for top, bottom in SERIES_RATIOS]
            + ["Other CPU (max)"]
        )
        rows = ["| " + " | ".join(header) + " |", "|---|---|---|" + "---:|" * (len(header) - 3)]
        for number, kept in enumerate(runs, 1):
            revision = str(kept["revision"]).removeprefix("commit ")
            other = _percent(float(str(kept["other_cpu"])))
            row = [str(number), str(kept["when"]), revision, *cells(figures(kept)), other]
            rows.append("| " + " | ".join(row) + " |")
        medians = [median(column) for column in zip(*(figures(kept) for kept in runs), strict=True)]
        rows.append("| " + " | ".join(["**median**", "", "", *(f"**{cell}**" for cell in cells(medians)), ""]) + " |")
        return fill(
            "series",
            title=title,
            count=len(runs),
            command=COMMAND,
            title_json=json.dumps(title),
            busy=_percent(BUSY_WARNING),
            verifier_bar=self._verifier_bar(),
            rows="\n".join(rows),
            kept=json.dumps({"title": title, "runs": runs}, separators=(",", ":")),
        )

    def render(
        self, results: dict[str, Result], info: dict[str, str], when: dt.datetime, series: tuple[str, list[Run]]
    ) -> str:
        """docs/benchmarks.md: the series (if any) above the full report of this run."""
        title, runs = series
        blocks = ["# Benchmarks"]
        if runs:
            blocks += [self.series_section(title, runs), fill("last_run_heading")]
        ratios = ["| Ratio | Value |", "|---|---:|"]
        ratios += [f"| {name} | {value:.3g} ({value:.1%}) |" for name, value in self.ratios(results)]
        verdicts = [f"**{line}.**" for line in self.verdicts(results)]
        verdicts += [line for line in (self.retries_line(results), self.busy_warning(results)) if line]
        blocks.append(
            fill(
                "last_run",
                when=f"{when:%Y-%m-%d %H:%M}",
                command=COMMAND,
                invocation=INVOCATION,
                h="###" if runs else "##",
                machine="\n".join(f"- {key}: {value}" for key, value in info.items()),
                setup=self.setup_line(),
                table=self.table(results),
                ratios="\n".join(ratios),
                verdicts="\n\n".join(verdicts),
                verifier_bar=self._verifier_bar(),
                sampling=_percent(pgbench.SAMPLING),
                busy=_percent(BUSY_WARNING),
            )
        )
        return "\n\n".join(blocks) + "\n"

    def publish(self, results: dict[str, Result], info: dict[str, str]) -> None:
        """Print the results; write docs/benchmarks.md unless the run is invalid or a disturbed run of a series."""
        print()
        print(self.setup_line())
        print()
        print(self.table(results))
        print()
        for name, value in self.ratios(results):
            print(f"{name:<18} {value:8.3g}  ({value:.1%})")
        print()
        for line in self.verdicts(results):
            print(line)
        again = self.retries_line(results)
        if again:
            print(again)
        warning = self.busy_warning(results)
        if warning:
            print(warning)
        invalid = {
            r.name: r.unexpected + r.socket_errors for r in _every_run(results) if r.unexpected or r.socket_errors
        }
        doc = DOC.relative_to(ROOT)
        if invalid:
            raise HarnessError(
                f"unexpected answers or socket errors {invalid}; the figures are not valid and "
                f"{doc} was not written (raw output in bench/out/)"
            )
        when = dt.datetime.now(dt.UTC)
        # A series goes on under its title and is kept, unchanged, by runs outside it.
        title, runs = previous_series()
        series = self.settings.series
        if series and warning:
            raise DisturbedRun(
                f"this run is not added to the series {series!r} and {doc} was not rewritten: "
                "run again on a quiet machine"
            )
        if series:
            runs = (runs if title == series else []) + [self.series_entry(results, info, when)]
            title = series
            print()
            print(self.series_section(title, runs).split("<!--")[0].strip())
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(self.render(results, info, when, (title, runs)))
        print(f"wrote {doc}")
