"""The answer about a return a service just wrote (``returns.selectors.return_answer_load``: one
plain-SQL statement for the core's relations and every extension's ``AnswerRead``) is byte for
byte the answer its page reads through the ORM's prefetches (``return_get_for_actor``), in every
status and with every member filled: anomalies on a line and on the parcel, a drop-off receipt
with its point, a receiving, offers, refunds with several lines and transactions on two payments."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from returndesk.core.actors import Actor, ActorKind
from returndesk.core.api import respond
from returndesk.dropoffs.services import dropoff_point_register, return_handover
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.receiving.domain.tally import Reported, Scan, ScanKey
from returndesk.receiving.services import receiving_record
from returndesk.refunds import offers, services
from returndesk.refunds.services import LineAmount
from returndesk.refunds.tests.conftest import LATER, inspect, seller_of
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.extensions import return_extensions_known_empty
from returndesk.returns.models import Return
from returndesk.returns.schemas import ReturnDetailOut
from returndesk.returns.selectors import _answer_prefetches, return_answer_load, return_get_for_actor
from returndesk.scenarios.journeys import CARRIER, return_opened, return_to
from returndesk.testing import NOW, frozen_clock

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PLATFORM = Actor(kind=ActorKind.PLATFORM, id="answer-reads")
HOUR = timedelta(hours=1)


def _render(ret: Return) -> bytes:
    return respond(200, ReturnDetailOut, ret).content


def _columns_of(ret: Return, found: Return) -> Return:
    # A service keeps the datetimes it computed in their own zone, which the database hands back in
    # UTC (and PostgreSQL's jsonb its own key order): the same values, written differently.
    for column in Return._meta.concrete_fields:
        setattr(found, column.attname, getattr(ret, column.attname))
    return found


def _twin(ret: Return) -> Return:
    """Another instance of ``ret`` that knows what it knows, so that each can read the rest."""
    twin = copy.copy(ret)
    twin._state = copy.copy(ret._state)
    twin._state.fields_cache = dict(ret._state.fields_cache)
    twin._prefetched_objects_cache = dict(getattr(ret, "_prefetched_objects_cache", {}))  # type: ignore[attr-defined]
    return twin


def _prefetched(ret: Return) -> Return:
    """``ret`` completed as the answer was before its one statement: a prefetch per relation."""
    return_extensions_known_empty(ret)
    prefetch_related_objects([ret], *_answer_prefetches(timeline=True))
    return ret


def _same_everywhere(ret: Return) -> bytes:
    """The return a service handed back, answered: as its page reads it through the ORM (its
    columns as the service holds them), and as an answer reads it when the service knew none of its
    relations (a replay); and from what the service knew, as the ORM's prefetches completed it."""
    page = _render(_columns_of(ret, return_get_for_actor(code=ret.code, actor=PLATFORM, with_timeline=True)))
    bare = _columns_of(ret, Return.objects.select_related("order", "seller", "buyer").get(pk=ret.pk))
    twin = _twin(ret)
    assert _render(return_answer_load(bare)) == page
    assert _render(return_answer_load(ret)) == _render(_prefetched(twin))
    return page


@pytest.mark.parametrize("status", list(Status))
def test_every_status_answers_what_its_page_shows(make_order: Callable[..., Order], status: Status) -> None:
    ret = return_to(return_opened(order=make_order()), status)

    with frozen_clock(ret.updated_at):
        _same_everywhere(ret)


def test_a_return_with_every_member_answers_what_its_page_shows(make_order: Callable[..., Order]) -> None:
    # Two payments, so that a refund draws on both; two lines, so that refunds and anomalies name either.
    order = make_order(payments=[{"method": "card", "amount": "40.00"}, {"method": "paypal", "amount": "25.00"}])
    lines = [
        RequestedLine(line="L1", quantity=2, reason=Reason.DEFECTIVE),
        RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE),
    ]
    ret = return_to(return_opened(order=order, lines=lines, now=NOW), Status.APPROVED, now=NOW)
    at = ret.updated_at + HOUR
    dropoff_point_register(actor=CARRIER, point_id="P-1", name="Kiosk", address={"city": "Berlin"}, now=at)
    steps: list[Callable[[], Return]] = [
        lambda: (
            return_handover(
                actor=CARRIER, code=ret.code, carrier=CARRIER.carrier, point_id="P-1", now=at
            ).return_request
        ),
        # One unit of L1 short, and a dented box: anomalies on a line and on the parcel.
        lambda: receiving_record(
            code=ret.code,
            actor=seller_of(ret),
            scans=[Scan(ScanKey.SKU, "SKU-1", 1), Scan(ScanKey.SKU, "SKU-2", 1)],
            reported=[Reported(Anomaly.DAMAGED_ON_RETURN, None, "dented")],
            now=at + HOUR,
        ),
        lambda: inspect(Return.objects.get(pk=ret.pk)),
        lambda: offers.return_offer(
            actor=seller_of(ret), code=ret.code, amount=Decimal("5.00"), message="Keep it?", now=at + 3 * HOUR
        ),
        lambda: offers.return_decline_offer(actor=PLATFORM, code=ret.code, now=at + 4 * HOUR),
        lambda: services.return_refund(
            actor=seller_of(ret),
            code=ret.code,
            lines=[LineAmount(line="L1", amount=Decimal("10.00"))],
            shipping_amount=Decimal("0.00"),
            request_key="first",
            now=LATER,
        ),
        lambda: services.return_refund(actor=seller_of(ret), code=ret.code, request_key="rest", now=LATER + HOUR),
        # A repeat of the first request: the return as the key's refund finds it, no lines known.
        lambda: services.return_refund(actor=seller_of(ret), code=ret.code, request_key="first"),
    ]
    pages = []

    for step in steps:
        with frozen_clock(LATER + 2 * HOUR):
            pages.append(_same_everywhere(step()))

    page = json.loads(pages[-1])
    assert (
        len(page["anomalies"]),
        page["dropoff"]["point_id"],
        page["receiving"] is not None,
        len(page["offers"]),
        [len(refund["transactions"]) for refund in page["refunds"]],
        [len(refund["lines"]) for refund in page["refunds"]],
    ) == (2, "P-1", True, 1, [1, 2], [1, 2])


def test_a_refunds_answer_costs_one_statement(inspected: Callable[..., Return]) -> None:
    opened = inspected()
    ret = services.return_refund(actor=seller_of(opened), code=opened.code, request_key="k")

    with CaptureQueriesContext(connection) as statements:
        _render(return_answer_load(ret))

    # Its anomalies, timeline, refunds, their lines and transactions, offers, current receipt and
    # receivings: eight queries in one UNION ALL. The refund locked the lines; rendering reads
    # nothing more.
    assert [statement["sql"].split(" ", 1)[0] for statement in statements.captured_queries] == ["SELECT"]
    assert statements.captured_queries[0]["sql"].count(" UNION ALL ") == 7
