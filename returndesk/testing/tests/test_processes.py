"""The process helpers the served tests and the bench share, and the bench's freedom from Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from returndesk.testing import processes

ROOT = Path(__file__).resolve().parents[3]

# What ``python -m bench`` imports, and which of Django's or django-ninja's modules that loaded.
_BENCH_IMPORTS = """
import sys
import bench.__main__, bench.report, bench.targets
print(sorted(name for name in sys.modules if name.split(".")[0] in ("django", "ninja")))
"""


def test_the_bench_imports_the_shared_helpers_without_django() -> None:
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}

    result = subprocess.run(
        [sys.executable, "-c", _BENCH_IMPORTS], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_a_server_that_exits_before_serving_is_reported_with_its_output(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    command = [sys.executable, "-c", "print('cannot bind'); raise SystemExit(3)"]
    server = processes.ServerProcess(
        process=processes.start(command, env=dict(os.environ), log=log), port=processes.free_port(), log=log
    )

    with pytest.raises(processes.NotServing) as refused:
        server.wait_until_serving("/api/v1/health", name="the server")

    assert str(refused.value) == "the server exited with 3 before answering:\ncannot bind\n"
    assert server.stopped
