"""How much of the machine's CPU processes outside the benchmark take, and waiting for them to stop.

Every target is CPU-bound on a 2-core machine, so a run during which something else was busy is
depressed: each measured run reports that share, and each target waits for a quiet second first.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bench.common import BUSY_WARNING, log

T = TypeVar("T")
SAMPLE_SECONDS = 0.5


def machine_jiffies() -> tuple[int, int]:
    """CPU time processes used (user, nice, system) and all CPU time so far, in clock ticks.

    Interrupt time is left out: most of it is our own loopback traffic, which no process is charged for.
    """
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return user + nice + system, user + nice + system + idle + iowait + irq + softirq + steal


class CpuMeter:
    """The share of the machine's CPU that processes outside the benchmark took during a run.

    Ours are this harness and its children (wrk, pgbench), gunicorn's master and workers, and
    PostgreSQL's backends for the bench database (its name is in their process title). The
    machine may be shared: a high share means every figure of that run is depressed.
    """

    def __init__(self, *, server_pid: int, markers: tuple[str, ...], quiet_wait: int) -> None:
        self.roots = {os.getpid(), server_pid}
        self.markers = markers
        self.quiet_wait = quiet_wait

    def _ours(self) -> dict[int, int]:
        """CPU ticks used so far by each of our live processes."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:  # gone meanwhile
                continue
            pid, parent = int(entry.name), int(fields[1])
            if pid in self.roots or parent in self.roots or any(marker in title for marker in self.markers):
                found[pid] = int(fields[11]) + int(fields[12])  # utime + stime
        return found

    def measure(self, action: Callable[[], T]) -> tuple[T, float]:
        """Run ``action``; answer its outcome and the other processes' share of the CPU meanwhile.

        Our processes are sampled twice a second, so one that exits (a pgbench backend) keeps
        the CPU time it had at its last sample.
        """
        baseline = self._ours()
        latest = dict(baseline)
        busy_before, total_before = machine_jiffies()
        finished = threading.Event()

        def sample() -> None:
            while not finished.wait(SAMPLE_SECONDS):
                latest.update(self._ours())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            outcome = action()
        finally:
            finished.set()
            sampler.join()
        latest.update(self._ours())
        busy_after, total_after = machine_jiffies()
        ours = sum(ticks - baseline.get(pid, 0) for pid, ticks in latest.items())
        other = max(0, busy_after - busy_before - ours)
        return outcome, other / max(1, total_after - total_before)

    def wait_for_quiet(self) -> None:
        """Wait, up to BENCH_QUIET_WAIT seconds, for a second in which other processes leave the CPU alone."""
        deadline = time.monotonic() + self.quiet_wait
        while True:
            _, share = self.measure(lambda: time.sleep(1))
            if share <= BUSY_WARNING:
                return
            if time.monotonic() >= deadline:
                log(f"other processes still take {share:.0%} of the CPU; measuring anyway")
                return
            time.sleep(1)
