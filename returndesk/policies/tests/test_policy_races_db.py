"""Two PUTs of one seller's policy at once, with real threads on the test database: each builds on
the version the other made, never on the one both read first (the seller's row lock)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from returndesk.core.actors import Actor, ActorKind
from returndesk.policies.models import PolicyVersion
from returndesk.policies.selectors import policy_in_force, policy_versions_forget
from returndesk.policies.services import policy_put
from returndesk.scenarios.journeys import order_placed
from returndesk.testing import at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]

PLATFORM = Actor(kind=ActorKind.PLATFORM, id="race")
ROUNDS = 3


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django's in-memory SQLite test database cannot serve a second connection; PostgreSQL runs this.")
    assert not connection.in_atomic_block


def _each_at_once(calls: list[Callable[[], object]]) -> None:
    waiting = list(calls)

    def next_call() -> object:
        return waiting.pop()()

    def close() -> None:
        # ``connection`` resolves to the calling thread's own connection only when called.
        connection.close()

    at_once(len(calls), next_call, on_exit=close)


@pytest.mark.parametrize("seller", ["S-A", "default"])
def test_two_puts_at_once_keep_both_changes(seller: str) -> None:
    order = order_placed()
    for round_ in range(ROUNDS):
        window, fee = 40 + round_, f"{round_ + 1}"
        _each_at_once(
            [
                lambda window=window: policy_put(actor=PLATFORM, seller=seller, body={"window_days": window}),
                lambda fee=fee: policy_put(actor=PLATFORM, seller=seller, body={"restocking_fee_percent": fee}),
            ]
        )
        policy_versions_forget()

        latest = policy_in_force(seller_id=order.seller_id).policy
        assert (latest.window_days, str(latest.restocking_fee_percent)) == (window, fee)
    assert PolicyVersion.objects.count() == 1 + 2 * ROUNDS
