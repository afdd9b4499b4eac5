"""Test-wide setup: Hypothesis profiles, and fixtures for the outside services some tests need.

How a missing service is skipped or failed (``RETURNDESK_REQUIRE_SERVICES``) is in
``returndesk.testing.services``. The profiles stay here: they configure the run, like pytest's
own options, and must be loaded before any test module is collected.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from returndesk.testing import services

hypothesis_settings.register_profile(
    "ci", max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a PostgreSQL run (DATABASE_URL set), check the server once before any test needs it."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    skip = services.postgres_run_skip(os.environ["DATABASE_URL"])
    if skip is None:
        return
    for item in items:
        item.add_marker(skip)


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for a test that runs its own server, dropped after."""
    with services.fresh_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url() -> str:
    """A Redis database of this xdist worker's own (15, 14, ...), emptied for the test."""
    return services.empty_redis_database()
