"""``python -m bench`` (``make bench``): set up, measure every target, report, clean up.

Exit status: 0 when the benchmark ran (whether each bar says PASS or FAIL); 2 on a harness error
(a missing tool, a failed setup step, answers that were not the expected ones); 3 when a run of a
series was disturbed by other processes (printed, neither added nor written); 130 on Ctrl-C;
128 + the signal on SIGTERM or SIGHUP. The server and the database are removed in every case.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys
from collections.abc import Callable
from urllib.parse import urlsplit

import psycopg

from bench import app, report
from bench.common import BUSY_WARNING, COMMAND, OUT, DisturbedRun, HarnessError, Result, Settings, log
from bench.cpu import CpuMeter
from bench.pgbench import Pgbench
from bench.targets import TARGETS, Stage
from bench.wrk import Wrk

# The tools the bench needs and the Debian packages that bring them (`make bench` installs them).
TOOLS = {"wrk": "wrk", "pgbench": "postgresql-client"}


def tool(command: str) -> str:
    """The tool's path; a missing one stops the bench, naming its Debian package."""
    found = shutil.which(command)
    if found:
        return found
    package = TOOLS[command]
    raise HarnessError(
        f"{command} is not installed. Install the Debian package {package!r} "
        f"(apt-get install {package}) or put {command} on PATH, then run `{COMMAND}` again."
    )


def retried(measure_once: Callable[[], Result], retries: int) -> Result:
    """A target's measurement, repeated (up to ``retries`` times) while other processes disturbed it."""
    result = measure_once()
    for attempt in range(2, retries + 2):
        busiest = max(run.other_cpu for run in result.runs())
        if busiest <= BUSY_WARNING:
            break
        log(
            f"{result.name}: other processes took {busiest:.0%} of the CPU;"
            f" measuring it again ({attempt - 1} of {retries})"
        )
        result = measure_once()
        result.attempts = attempt
    return result


def measure(settings: Settings, wrk: str, pgbench: str) -> tuple[dict[str, Result], dict[str, str]]:
    """Set up, run every target, tear down (the ExitStack unwinds on any exception or signal)."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(app.bench_database(settings.admin_url))
        env = app.app_env(url, settings.redis_url)
        app.migrate(env)
        platform_key, carrier_key = app.create_key(env, "platform"), app.create_key(env, "carrier")
        server = stack.enter_context(app.gunicorn(env))
        info = report.machine(url, wrk, pgbench)  # now: the code gunicorn loaded is the code measured
        codes = app.seed(server.url, platform_key, carrier_key, settings.orders)
        meter = CpuMeter(
            server_pid=server.process.pid,
            markers=(urlsplit(url).path.lstrip("/"), str(OUT)),
            quiet_wait=settings.quiet_wait,
        )
        stage = Stage(
            settings=settings,
            base=server.url,
            database_url=url,
            platform_key=platform_key,
            carrier_key=carrier_key,
            seller_keys=app.seller_keys(env, settings.orders),
            codes=codes,
            wrk=Wrk(path=wrk, base=server.url, meter=meter, settings=settings),
            pgbench=Pgbench(path=pgbench, database_url=url, meter=meter, settings=settings),
        )
        results = {}
        for target in TARGETS:
            if target.prepare is not None:
                target.prepare(stage)
            results[target.name] = retried(functools.partial(target.measure, stage), settings.retries)
        return results, info


def _on_signal(signum: int, _frame: object) -> None:
    signal.signal(signum, signal.SIG_IGN)  # a second signal must not interrupt the clean-up
    raise SystemExit(128 + signum)


def main() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    try:
        settings = Settings.from_environment(os.environ)
        wrk, pgbench = tool("wrk"), tool("pgbench")
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        results, info = measure(settings, wrk, pgbench)
        report.Report(settings=settings, targets=TARGETS).publish(results, info)
    except (HarnessError, OSError, psycopg.Error) as error:
        log(f"error: {error}")
        return 2
    except DisturbedRun as error:
        log(f"disturbed: {error}")
        return 3
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
