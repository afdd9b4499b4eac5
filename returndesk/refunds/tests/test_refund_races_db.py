"""Concurrent refunds against the service with real threads, for PostgreSQL's row locks (``make
pytest-postgres``); the served SQLite file has the same races through HTTP
(``tests/served/test_refund_races.py``).

Each thread has its own connection; the test is transactional, so threads see each other's commits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import pytest
from django.db import connection, connections

from returndesk.core.errors import ReturndeskError
from returndesk.marketplace.models import Order, OrderLine, Payment
from returndesk.refunds.errors import ExceedsRefundable, NothingToRefund
from returndesk.refunds.models import Refund
from returndesk.refunds.services import LineAmount, return_refund
from returndesk.refunds.tests.conftest import seller_of
from returndesk.returns.models import Return
from returndesk.scenarios.payloads import line_payload
from returndesk.testing import at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")
MANUAL = [{"method": "bank_transfer", "gateway": "manual", "amount": "65.00"}]


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    # SQLite queues whole write transactions: the served file's races say all there is to say.
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL's row locks only: tests/served/test_refund_races.py races the SQLite file")


def race(count: int, work: Callable[[int], T]) -> list[T | ReturndeskError]:
    numbers = iter(range(count))

    def attempt() -> T | ReturndeskError:
        try:
            return work(next(numbers))
        except ReturndeskError as error:
            return error

    return at_once(count, attempt, on_exit=connections.close_all)


def kinds(outcomes: list[object]) -> list[str]:
    return sorted(type(outcome).__name__ for outcome in outcomes)


def test_twenty_default_refunds_pay_once(make_order, inspected) -> None:
    ret = inspected(order=make_order(payments=MANUAL))

    outcomes = race(20, lambda n: return_refund(actor=seller_of(ret), code=ret.code, request_key=f"d-{n}"))

    assert kinds(outcomes) == [NothingToRefund.__name__] * 19 + [Return.__name__]
    assert str(Return.objects.get(pk=ret.pk).refunded) == "19.5000"


def test_twenty_tenths_of_a_cap_let_ten_through(make_order, inspected) -> None:
    ret = inspected(order=make_order(payments=MANUAL))
    tenth = [LineAmount("L1", Decimal("1.80"))]

    outcomes = race(20, lambda n: return_refund(actor=seller_of(ret), code=ret.code, request_key=f"t-{n}", lines=tenth))

    assert kinds(outcomes) == [ExceedsRefundable.__name__] * 10 + [Return.__name__] * 10
    assert (str(Return.objects.get(pk=ret.pk).refunded), Refund.objects.filter(return_request=ret).count()) == (
        "18.0000",
        10,
    )


def test_twenty_with_one_key_make_one_refund(make_order, inspected) -> None:
    ret = inspected(order=make_order(payments=MANUAL))

    outcomes = race(20, lambda n: return_refund(actor=seller_of(ret), code=ret.code, request_key="same"))

    assert kinds(outcomes) == [Return.__name__] * 20
    assert Refund.objects.filter(return_request=ret).count() == 1


def test_refunds_of_three_returns_of_one_order_keep_every_cap(make_order, inspected) -> None:
    order: Order = make_order(
        lines=[line_payload("L1", quantity=3, unit_price="10.00")],
        # Manual: a refund the fake gateway paid at once would settle its return, refusing the top-ups.
        payments=[
            {"method": "card", "gateway": "manual", "amount": "20.00"},
            {"method": "wallet", "gateway": "manual", "amount": "15.00"},
        ],
    )
    returns = [inspected(order=order) for _ in range(3)]
    asks = [[LineAmount("L1", Decimal("10.00"))], None]

    outcomes = race(
        18,
        lambda n: return_refund(
            actor=seller_of(returns[n % 3]),
            code=returns[n % 3].code,
            request_key=f"o-{n}",
            lines=asks[n % 2],
            shipping_amount=Decimal("5.00") if n % 2 else None,
        ),
    )

    assert set(kinds(outcomes)) <= {Return.__name__, ExceedsRefundable.__name__, NothingToRefund.__name__}
    order.refresh_from_db()
    line = OrderLine.objects.get(order=order)
    payments = list(Payment.objects.filter(order=order).order_by("id"))
    assert (line.refunded, order.shipping_refunded) == (Decimal("30.0000"), Decimal("5.0000"))
    assert order.refunded == sum((payment.refunded for payment in payments), Decimal(0)) == Decimal("35.0000")
    assert all(payment.refunded <= payment.amount for payment in payments)
