"""Server subprocesses for the served tests and the bench: start, wait until serving, stop, output.

Each process runs in a session (process group) of its own, so that a gunicorn master and its
workers stop together; its output goes to a file, so a full pipe never stalls it, and is shown
when it fails. Standard library only, and no Django: the bench imports this module without
configuring Django (``returndesk.testing`` itself imports nothing on import).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
PROBE_TIMEOUT = 5.0
PROBE_INTERVAL = 0.1


class NotServing(Exception):
    """A server exited, or did not answer, before it served; the message carries its output."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 free a moment ago (the caller binds it soon after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(args: Sequence[str], *, env: dict[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    """Start ``args`` in a session of its own, stdout and stderr to ``log``."""
    with log.open("wb") as sink:
        return subprocess.Popen(
            list(args), env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )


def answers(url: str) -> int | None:
    """The status of a GET of ``url``, or None while nothing listens there."""
    # Only ever a local server this module started, never a URL from outside.
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code)
    except OSError:
        return None


def stop_group(process: subprocess.Popen[bytes], *, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the process's whole group, SIGKILL it after ``timeout``, and reap the process."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    # Workers can outlive their master for a moment; none may linger into what runs next.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass
class ServerProcess:
    """A server started with ``start`` on ``port`` of 127.0.0.1, its output in ``log``."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    stopped: bool = field(default=False, kw_only=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, path: str, *, name: str, timeout: float = START_TIMEOUT) -> None:
        """Return once GET ``path`` answers 200; else stop the server and raise ``NotServing``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise NotServing(f"{name} exited with {self.process.returncode} before answering:\n{self.output()}")
            if answers(self.url + path) == 200:
                return
            time.sleep(PROBE_INTERVAL)
        self.stop()
        raise NotServing(f"{name} did not answer {path} within {timeout:.0f} s:\n{self.output()}")

    def stop(self, *, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the server and everything it started (once; later calls do nothing)."""
        if self.stopped:
            return
        self.stopped = True
        stop_group(self.process, timeout=timeout)


def run_to_exit(args: Sequence[str], *, env: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """Run ``args`` in a group of its own to completion: (exit status, output), or (None, output)
    when it was still running after ``timeout`` and was killed with all its children."""
    process = subprocess.Popen(
        list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output
    return process.returncode, output
