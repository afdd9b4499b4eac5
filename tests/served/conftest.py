"""Fixtures that start real ``returndesk serve`` processes (see ``harness`` for how they run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served.harness import Backend, ServedApp, Server, StartServer, createkey, run_command, server_env, spawn


@pytest.fixture
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartServer]:
    """``start_server(*args, data_dir=None, env=None)``: a running ``returndesk serve ARGS``.

    A fresh data directory unless one is given; every server started is stopped after the test.
    """
    started: list[Server] = []

    def start(*args: str, data_dir: Path | None = None, env: dict[str, str] | None = None) -> Server:
        data_dir = data_dir or tmp_path_factory.mktemp("data")
        log = tmp_path_factory.mktemp("log") / "serve.log"
        server = spawn(*args, data_dir=data_dir, env=server_env(data_dir, env), log=log)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def migrated_postgres_url(postgres_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh PostgreSQL database after ``returndesk migrate``, as production commands need it."""
    env = server_env(tmp_path_factory.mktemp("migrate"), {"DATABASE_URL": postgres_database_url})
    migrated = run_command(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    return postgres_database_url


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The embedded SQLite file ``returndesk serve`` uses by default, or a fresh, migrated PostgreSQL
    database."""
    if request.param == "sqlite":
        return Backend("sqlite", {})
    url = request.getfixturevalue("migrated_postgres_url")
    return Backend("postgres", {"DATABASE_URL": url, "SECRET_KEY": "served-test-only"})


@pytest.fixture
def served(backend: Backend, start_server: StartServer) -> ServedApp:
    """A running server on ``backend`` and a platform key made with ``returndesk createkey``."""
    server = start_server(env=backend.env)
    return ServedApp(server=server, platform_key=createkey(server.env, "--role", "platform", "--name", "tests"))
