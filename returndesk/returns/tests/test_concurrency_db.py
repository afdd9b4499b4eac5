"""Service-level races with real threads on the test database.

Each thread gets its own database connection (Django's are per thread) and closes it when done;
the test is transactional, so the threads see each other's commits as the real server would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection, connections

from returndesk.core.errors import InvalidTransition, ReturndeskError
from returndesk.marketplace.models import Order, OrderLine
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.policies.domain.reasons import Reason
from returndesk.returns import services
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.errors import AlreadyReturned
from returndesk.returns.models import Return, ReturnEvent, ReturnLine
from returndesk.scenarios.payloads import order_payload
from returndesk.testing import NOW, Keys, at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")
IN_MEMORY_SQLITE = (
    "Django's SQLite test database is in memory with a shared cache: a second connection fails at once "
    "with 'database table is locked' (shared-cache locks ignore the busy timeout), so it cannot show how "
    "the embedded file database behaves. tests/served/test_concurrency.py races the served SQLite file; "
    "`make pytest-postgres` runs these on PostgreSQL."
)


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    """Threads need their own connections to a database that serialises them, and see only commits."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(IN_MEMORY_SQLITE)
    # The ``db`` fixture became transactional through the module's django_db(transaction=True) mark.
    assert not connection.in_atomic_block


def race(count: int, work: Callable[[], T]) -> list[T | ReturndeskError]:
    """Run ``work`` in ``count`` threads released together, each closing its own connection when
    done; a business error is an outcome too."""

    def attempt() -> T | ReturndeskError:
        try:
            return work()
        except ReturndeskError as error:
            return error

    return at_once(count, attempt, on_exit=connections.close_all)


def kinds(outcomes: list[object]) -> list[str]:
    return sorted(type(outcome).__name__ for outcome in outcomes)


def test_twenty_concurrent_approvals_make_one_transition_and_one_event(
    make_return: Callable[..., Return], keys: Keys
) -> None:
    ret = make_return()

    outcomes = race(20, lambda: services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=NOW))

    assert kinds(outcomes) == [InvalidTransition.__name__] * 19 + [Return.__name__]
    ret.refresh_from_db()
    assert ret.status == Status.APPROVED
    assert list(ReturnEvent.objects.filter(return_request=ret).order_by("id").values_list("action", flat=True)) == [
        "request",
        "approve",
    ]


def test_two_concurrent_returns_for_the_last_unit_let_one_through(make_order: Callable[..., Order], keys: Keys) -> None:
    single_unit = [
        {
            "external_id": "L1",
            "sku": "SKU-1",
            "title": "Lamp",
            "quantity": 1,
            "unit_price": "20.00",
            "paid_amount": "20.00",
            "category": "home",
        }
    ]
    orders = [make_order(lines=single_unit) for _ in range(5)]

    rounds = [
        kinds(
            race(
                2,
                lambda order=order: services.return_open(
                    actor=keys.actors["platform"],
                    order_external_id=order.external_id,
                    now=NOW,
                    lines=[RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)],
                ),
            )
        )
        for order in orders
    ]

    # The loser finds the one unit held: already returned (every unit is in a return).
    assert rounds == [[AlreadyReturned.__name__, Return.__name__]] * 5
    assert ReturnLine.objects.filter(return_request__order__in=orders).count() == 5


def test_two_concurrent_first_imports_of_an_order_create_it_once() -> None:
    data = OrderIn.model_validate(order_payload(external_id="O-RACE", seller="S-RACE", buyer="B-RACE")).to_import()

    outcomes = race(2, lambda: order_import(data=data, now=NOW))

    assert sorted(created for _, created in outcomes) == [False, True]
    assert Order.objects.filter(external_id="O-RACE").count() == 1
    assert OrderLine.objects.filter(order__external_id="O-RACE").count() == 2
