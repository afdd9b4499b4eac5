"""Fixtures shared by the apps' tests: real services, no mocks.

The helpers behind them live in ``returndesk.testing`` (keys, time) and ``returndesk.scenarios``
(request bodies, journeys); tests import those from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from returndesk.accounts.selectors import apikey_cache_clear
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import order_placed, return_opened
from returndesk.testing import NOW, Keys, portal_clients


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Django's default hasher takes a good part of a second on purpose; tests need no such care."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _policy_versions_forgotten() -> Iterator[None]:
    """Forget the policy versions a test read: its rolled-back transaction gives their numbers
    out again. Version 1, the core's default, is the same on every test database (made again by a
    flush, which remembers it anew), so it stays known and costs no query."""
    yield
    from returndesk.policies.selectors import policy_versions_forget

    policy_versions_forget(keep=frozenset({1}))


@pytest.fixture
def make_order(db: None) -> Callable[..., Order]:
    """Import an order built by ``scenarios.payloads.order_payload(**kwargs)`` at ``now`` (NOW
    unless told: an order delivered by the wall clock is imported at the wall clock's now)."""

    def make(*, now: datetime = NOW, **kwargs: Any) -> Order:
        return order_placed(now=now, **kwargs)

    return make


@pytest.fixture
def keys(db: None) -> Keys:
    """platform, agent, supervisor, carrier, seller_a (S-A), seller_b (S-B)."""
    apikey_cache_clear()
    made = Keys()
    made.make("platform", role="platform")
    made.make("agent", role="agent")
    made.make("supervisor", role="agent", supervisor=True)
    made.make("carrier", role="carrier")
    made.make("seller_a", role="seller", seller="S-A")
    made.make("seller_b", role="seller", seller="S-B")
    return made


@pytest.fixture
def make_return(make_order: Callable[..., Order], keys: Keys) -> Callable[..., Return]:
    """Open a return as the platform key on a fresh order of seller S-A (or on ``order``) at NOW."""

    def make(
        *,
        order: Order | None = None,
        line: str = "L1",
        quantity: int = 1,
        reason: Reason = Reason.DEFECTIVE,
        now: datetime = NOW,
    ) -> Return:
        return return_opened(
            order=order or make_order(),
            lines=[RequestedLine(line=line, quantity=quantity, reason=reason)],
            actor=keys.actors["platform"],
            now=now,
        )

    return make


@pytest.fixture
def portal_scene(db: None) -> portal_clients.PortalScene:
    """A Django test client signed in as each person of ``testing.portal_clients.WHO`` (two buyers,
    seller A's manager and warehouse, seller B's manager, an agent, a counter clerk, nobody), each
    buyer with an order and a requested return: for the pages' permission tables."""
    return portal_clients.portal_scene()


@pytest.fixture
def migrations(settings: Any) -> Iterator[list[tuple[str, str]]]:
    """The real migrations, for a test of one of them: the test database pytest built from the
    models (--no-migrations) is recorded as migrated up to the leaves, which that schema is; the
    test migrates back and forth from there; the leaves (yielded) are run again at the end, so that
    every other test finds the schema it expects."""
    settings.MIGRATION_MODULES = {}
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(leaves, fake=True)
    yield leaves
    MigrationExecutor(connection).migrate(leaves)
