"""The outside services some tests need: PostgreSQL and Redis, skipped or failed when down.

A test that needs one skips with a message when it is down, unless ``RETURNDESK_REQUIRE_SERVICES``
(comma list: postgres, redis, chromium) names it: then it fails. CI sets it; a laptop without the services
does not. The fixtures that use these live in the root ``conftest.py``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

POSTGRES_URL = os.environ.get("RETURNDESK_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_SERVER = os.environ.get("RETURNDESK_TEST_REDIS_SERVER", "redis://127.0.0.1:6379")


def required(service: str) -> bool:
    return service in os.environ.get("RETURNDESK_REQUIRE_SERVICES", "").split(",")


def unavailable(service: str, why: str) -> None:
    """Skip, or fail where the service is required."""
    message = f"{service} is not reachable ({why})"
    if required(service):
        pytest.fail(f"{message}; RETURNDESK_REQUIRE_SERVICES says it must be", pytrace=False)
    pytest.skip(f"{message}; start it to run this test")


def postgres_error(url: str) -> str | None:
    """Why the server at ``url`` cannot be reached (the first line of the error), or None."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def postgres_run_skip(database_url: str) -> pytest.MarkDecorator | None:
    """On a PostgreSQL run, check the server once before any test needs it: None when it answers,
    else the mark that skips every test; a usage error instead when the server is required."""
    error = postgres_error(urlunsplit(urlsplit(database_url)._replace(path="/postgres")))
    if error is None:
        return None
    if required("postgres"):
        raise pytest.UsageError(
            f"PostgreSQL is not reachable ({error}) and RETURNDESK_REQUIRE_SERVICES says it must be"
        )
    return pytest.mark.skip(reason=f"PostgreSQL is not reachable ({error}); start it to run these tests")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (its URL) for the block, dropped after."""
    import psycopg

    error = postgres_error(POSTGRES_URL)
    if error is not None:
        unavailable("postgres", error)
    name = f"returndesk_t_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_redis_database() -> str:
    """The URL of a Redis database of this xdist worker's own (15, 14, ...), emptied."""
    import redis

    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    url = f"{REDIS_SERVER}/{15 - worker}"
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable("redis", str(error))
    client.flushdb()
    return url
