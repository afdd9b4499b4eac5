"""The production command of the README, ``gunicorn -c python:returndesk.runtime.gunicorn_conf``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served.harness import START_TIMEOUT, STOP_TIMEOUT, free_port, http, run_command, server_env

pytestmark = pytest.mark.served

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@pytest.fixture
def gunicorn_url(tmp_path: Path) -> Iterator[str]:
    """gunicorn started as the README says, on an embedded database migrated first."""
    env = server_env(tmp_path)
    migrated = run_command(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [GUNICORN, "-c", "python:returndesk.runtime.gunicorn_conf", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if http("GET", f"{url}/api/v1/health").status == 200:
                    break
            except OSError:
                time.sleep(0.1)  # not listening yet
        else:
            pytest.fail(f"gunicorn did not answer /api/v1/health:\n{log.read_text()}", pytrace=False)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)


def test_the_readme_command_serves_with_returndesks_request_limits(gunicorn_url: str) -> None:
    long_line = "/api/v1/health?pad=" + "x" * (4090 - len("/api/v1/health?pad="))
    many_headers = {f"X-Pad-{index}": "1" for index in range(101)}

    assert http("GET", gunicorn_url + long_line).status == 200
    assert http("GET", f"{gunicorn_url}/api/v1/health", headers=many_headers).status == 431
