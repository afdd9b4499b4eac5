"""The production command of the README, ``gunicorn -c python:returndesk.runtime.gunicorn_conf``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from returndesk.testing import processes
from tests.served.harness import http, run_command, server_env

pytestmark = pytest.mark.served

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@pytest.fixture
def gunicorn_url(tmp_path: Path) -> Iterator[str]:
    """gunicorn started as the README says, on an embedded database migrated first."""
    env = server_env(tmp_path)
    migrated = run_command(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    port = processes.free_port()
    log = tmp_path / "gunicorn.log"
    command = [GUNICORN, "-c", "python:returndesk.runtime.gunicorn_conf", "--bind", f"127.0.0.1:{port}"]
    server = processes.ServerProcess(process=processes.start(command, env=env, log=log), port=port, log=log)
    try:
        server.wait_until_serving("/api/v1/health", name="gunicorn")
    except processes.NotServing as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()


def test_the_readme_command_serves_with_returndesks_request_limits(gunicorn_url: str) -> None:
    long_line = "/api/v1/health?pad=" + "x" * (4090 - len("/api/v1/health?pad="))
    many_headers = {f"X-Pad-{index}": "1" for index in range(101)}

    assert http("GET", gunicorn_url + long_line).status == 200
    assert http("GET", f"{gunicorn_url}/api/v1/health", headers=many_headers).status == 431
