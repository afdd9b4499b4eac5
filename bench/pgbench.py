"""Running pgbench on the bench database: its data set, a warm-up, the measured run, its figures.

p50/p99 come from a sample of each run's transaction log; failed transactions count as
unexpected answers.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from bench.common import CONNECTIONS, OUT, THREADS, HarnessError, Result, Settings, log, number, run
from bench.cpu import CpuMeter

SCALE = 10
SAMPLING = 0.1  # share of pgbench transactions logged, for its percentiles
MIN_LOGGED = 100  # fewer logged transactions give no meaningful p99


@dataclass(frozen=True)
class Pgbench:
    """pgbench against the bench database: 16 clients on 2 threads, the meter of other processes' CPU."""

    path: str
    database_url: str
    meter: CpuMeter
    settings: Settings

    def initialize(self) -> None:
        """``pgbench -i`` at scale 10: the tables both pgbench targets use."""
        log(f"pgbench -i -s {SCALE}")
        run([self.path, "-i", "-q", "-s", str(SCALE), self.database_url], what="pgbench -i")

    def measure(self, name: str, what: str, mode: list[str]) -> Result:
        """One pgbench script (``mode``: its options): a warm-up, then the measured run."""
        url = self.database_url
        common = [self.path, *mode, "-n", f"-c{CONNECTIONS}", f"-j{THREADS}"]
        self.meter.wait_for_quiet()
        if self.settings.warmup_seconds > 0:
            run([*common, f"-T{self.settings.warmup_seconds}", url], what=f"{name} warm-up")
        log(f"measuring {name} for {self.settings.seconds} s")
        prefix = OUT / f"{name}_log"
        for stale in OUT.glob(f"{prefix.name}.*"):  # from a measurement of this target repeated
            stale.unlink()
        measured = [
            *common,
            f"-T{self.settings.seconds}",
            "-l",
            f"--sampling-rate={SAMPLING}",
            f"--log-prefix={prefix}",
            url,
        ]
        output, other_cpu = self.meter.measure(lambda: run(measured, what=name))
        (OUT / f"{name}.txt").write_text(output)
        latencies = sorted(
            int(line.split()[2]) / 1000
            for path in OUT.glob(f"{prefix.name}.*")
            for line in path.read_text().splitlines()
            if line.strip()
        )
        if len(latencies) < MIN_LOGGED:
            raise HarnessError(f"{name} logged only {len(latencies)} transactions:\n{output}")
        centiles = statistics.quantiles(latencies, n=100, method="inclusive")
        failed = re.search(r"number of failed transactions: (\d+)", output)
        return Result(
            name=name,
            what=what,
            rps=number(r"tps = ([\d.]+)", output),
            p50_ms=centiles[49],
            p99_ms=centiles[98],
            requests=int(number(r"number of transactions actually processed: (\d+)", output)),
            unexpected=int(failed.group(1)) if failed else 0,
            other_cpu=other_cpu,
        )
