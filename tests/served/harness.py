"""Real ``returndesk serve`` processes for end-to-end tests, spoken to with the standard library only.

Each server runs in its own session (process group) so the gunicorn master and its workers stop
together; its output goes to a file, so a full pipe never stalls it, and is shown when it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

RETURNDESK = str(Path(sys.executable).with_name("returndesk"))
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 60.0
# What the test runner's environment may hold that would point a server somewhere else
# (``make pytest-postgres`` exports DATABASE_URL and SECRET_KEY for the whole run).
_INHERITED = ("DATABASE_URL", "SECRET_KEY", "RETURNDESK_DATA_DIR", "REDIS_URL", "RETURNDESK_DEBUG")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The runner's environment without its database settings, plus a data directory and ``extra``."""
    env = {name: value for name, value in os.environ.items() if name not in _INHERITED}
    env.update(RETURNDESK_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **(extra or {}))
    return env


def run_command(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``returndesk ARGS`` to completion (it applies migrations first, like every command)."""
    return subprocess.run([RETURNDESK, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def createkey(env: dict[str, str], *args: str) -> str:
    """``returndesk createkey ARGS``: the key is all it prints on stdout."""
    result = run_command(env, "createkey", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _lowered(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def http(
    method: str, url: str, *, key: str | None = None, body: Any = None, headers: dict[str, str] | None = None
) -> Response:
    """One request; error statuses are answers too, not exceptions."""
    sent = {"Accept": "application/json", **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310 - local server
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:  # noqa: S310
            return Response(answer.status, _lowered(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, _lowered(error.headers.items()), error.read())


@dataclass
class Server:
    """A running ``returndesk serve``."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    env: dict[str, str]
    log: Path
    stopped: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def get(self, path: str, *, key: str | None = None) -> Response:
        return http("GET", self.url + path, key=key)

    def post(
        self, path: str, body: Any = None, *, key: str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        return http("POST", self.url + path, key=key, body={} if body is None else body, headers=headers)

    def stop(self) -> None:
        """SIGTERM the whole process group, then SIGKILL whatever is left of it."""
        if self.stopped:
            return
        self.stopped = True
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=STOP_TIMEOUT)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        # Workers can outlive the master for a moment; none may linger into the next test.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def spawn(*args: str, data_dir: Path, env: dict[str, str], log: Path) -> Server:
    """Start ``returndesk serve --port P ARGS`` and wait until ``/api/v1/health`` answers."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [RETURNDESK, "serve", "--port", str(port), *args],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process=process, port=port, data_dir=data_dir, env=env, log=log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            pytest.fail(
                f"returndesk serve exited with {process.returncode} before answering:\n{server.output()}", pytrace=False
            )
        try:
            if server.get("/api/v1/health").status == 200:
                return server
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    server.stop()
    pytest.fail(
        f"returndesk serve did not answer /api/v1/health within {START_TIMEOUT:.0f} s:\n{server.output()}",
        pytrace=False,
    )


@dataclass(frozen=True)
class Backend:
    """How to point a server at one kind of database."""

    name: str
    env: dict[str, str]


@dataclass(frozen=True)
class ServedApp:
    """A server on one backend and a platform key for it."""

    server: Server
    platform_key: str


def run_to_exit(*args: str, env: dict[str, str], timeout: float = 60) -> tuple[int | None, str]:
    """Run ``returndesk ARGS`` in its own process group; (exit status, output), or (None, output)
    when it was still running after ``timeout`` and had to be killed with all its children."""
    process = subprocess.Popen(
        [RETURNDESK, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output
    return process.returncode, output


# start_server(*args, data_dir=None, env=None) -> Server: the ``start_server`` fixture.
StartServer = Callable[..., Server]
