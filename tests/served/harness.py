"""Real ``returndesk serve`` processes for end-to-end tests, spoken to with the standard library only.

How a server process starts, waits until it serves, stops with its process group and keeps its
output is ``returndesk.testing.processes``, which the bench shares; this module adds what the tests
need on top: the ``returndesk`` commands, the environment of a server, requests, and failures
reported as test failures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from returndesk.testing import processes
from returndesk.testing.processes import START_TIMEOUT, STOP_TIMEOUT, ServerProcess, free_port

__all__ = [
    "REQUEST_TIMEOUT",
    "RETURNDESK",
    "START_TIMEOUT",
    "STOP_TIMEOUT",
    "Backend",
    "Response",
    "ServedApp",
    "Server",
    "StartServer",
    "createkey",
    "free_port",
    "http",
    "run_command",
    "run_to_exit",
    "server_env",
    "spawn",
]

RETURNDESK = str(Path(sys.executable).with_name("returndesk"))
REQUEST_TIMEOUT = 60.0
# What the test runner's environment may hold that would point a server somewhere else
# (``make pytest-postgres`` exports DATABASE_URL and SECRET_KEY for the whole run).
_INHERITED = ("DATABASE_URL", "SECRET_KEY", "RETURNDESK_DATA_DIR", "REDIS_URL", "RETURNDESK_DEBUG")


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
class Server(ServerProcess):
    """A running ``returndesk serve``: ``process``, ``port``, ``log``, ``url``, ``output()``, ``stop()``."""

    data_dir: Path
    env: dict[str, str]

    def get(self, path: str, *, key: str | None = None) -> Response:
        return http("GET", self.url + path, key=key)

    def post(
        self, path: str, body: Any = None, *, key: str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        return http("POST", self.url + path, key=key, body={} if body is None else body, headers=headers)


def spawn(*args: str, data_dir: Path, env: dict[str, str], log: Path) -> Server:
    """Start ``returndesk serve --port P ARGS`` and wait until ``/api/v1/health`` answers."""
    port = free_port()
    process = processes.start([RETURNDESK, "serve", "--port", str(port), *args], env=env, log=log)
    server = Server(process=process, port=port, log=log, data_dir=data_dir, env=env)
    try:
        server.wait_until_serving("/api/v1/health", name="returndesk serve")
    except processes.NotServing as error:
        pytest.fail(str(error), pytrace=False)
    return server


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
    return processes.run_to_exit([RETURNDESK, *args], env=env, timeout=timeout)


# start_server(*args, data_dir=None, env=None) -> Server: the ``start_server`` fixture.
StartServer = Callable[..., Server]
