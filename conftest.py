"""Test-wide setup: Hypothesis profiles, and the services some tests need.

Tests that need PostgreSQL or Redis skip with a message when the service is down, unless
``RETURNDESK_REQUIRE_SERVICES`` (comma list: postgres, redis) names it: then they fail. CI sets
it; a laptop without the services does not.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile(
    "ci", max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

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


def _postgres_error(url: str) -> str | None:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a PostgreSQL run (DATABASE_URL set), check the server once before any test needs it."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    parts = urlsplit(os.environ["DATABASE_URL"])
    error = _postgres_error(urlunsplit(parts._replace(path="/postgres")))
    if error is None:
        return
    if required("postgres"):
        raise pytest.UsageError(
            f"PostgreSQL is not reachable ({error}) and RETURNDESK_REQUIRE_SERVICES says it must be"
        )
    skip = pytest.mark.skip(reason=f"PostgreSQL is not reachable ({error}); start it to run these tests")
    for item in items:
        item.add_marker(skip)


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for a test that runs its own server, dropped after."""
    import psycopg

    error = _postgres_error(POSTGRES_URL)
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


@pytest.fixture
def redis_url() -> str:
    """A Redis database of this xdist worker's own (15, 14, ...), emptied for the test."""
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
