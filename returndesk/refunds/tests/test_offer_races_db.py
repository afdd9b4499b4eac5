"""Concurrent offers and answers against the services with real threads, for PostgreSQL's row
locks (``make pytest-postgres``): the return's lock lets one offer open and one answer close it.

Each thread has its own connection; the test is transactional, so threads see each other's commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

import pytest
from django.db import connection, connections

from returndesk.core.errors import ReturndeskError
from returndesk.refunds.models import Offer, Refund
from returndesk.refunds.offers import return_accept_offer, return_decline_offer, return_offer
from returndesk.refunds.tests.conftest import seller_of
from returndesk.returns.domain.lifecycle import NoOpenOffer, OfferAlreadyOpen
from returndesk.returns.models import Return
from returndesk.testing import NOW, at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")
COUNT = 10
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the in-memory test database cannot race")


def race(work: Callable[[int], T]) -> list[T | ReturndeskError]:
    numbers = iter(range(COUNT))

    def attempt() -> T | ReturndeskError:
        try:
            return work(next(numbers))
        except ReturndeskError as error:
            return error

    return at_once(COUNT, attempt, on_exit=connections.close_all)


def kinds(outcomes: list[object]) -> list[str]:
    return sorted(type(outcome).__name__ for outcome in outcomes)


def offer(ret: Return, n: int = 0) -> Return:
    return return_offer(
        actor=seller_of(ret), code=ret.code, amount=Decimal("5.00") + n, message="Keep it?", now=NOW + HOUR
    )


def test_one_of_ten_concurrent_offers_opens(make_return) -> None:
    ret = make_return()

    outcomes = race(lambda n: offer(ret, n))

    assert kinds(outcomes) == [OfferAlreadyOpen.__name__] * (COUNT - 1) + [Return.__name__]
    assert Offer.objects.filter(return_request=ret).count() == 1


def test_one_of_ten_concurrent_answers_closes_the_offer(make_return, keys) -> None:
    ret = make_return()
    offer(ret)
    platform = keys.actors["platform"]

    def answer(n: int) -> Return:
        if n % 2:
            return return_decline_offer(actor=platform, code=ret.code, now=NOW + 2 * HOUR)
        return return_accept_offer(actor=platform, code=ret.code, request_key=f"a-{n}", now=NOW + 2 * HOUR)

    outcomes = race(answer)

    # Once the offer is answered there is none open, or (accepted) the return is refunding.
    codes = sorted({outcome.code for outcome in outcomes if isinstance(outcome, ReturndeskError)})
    assert kinds(outcomes).count(Return.__name__) == 1
    assert set(codes) <= {NoOpenOffer.code, "invalid_transition"}
    (closed,) = Offer.objects.filter(return_request=ret)
    assert Refund.objects.filter(return_request=ret).count() == (1 if closed.state == "accepted" else 0)
    assert Return.objects.get(pk=ret.pk).offer_open is False
