"""A gateway's answer recorded twice at once (the request's attempt after its commit, and the
driver's re-run with the same key): one is recorded, one event, one settle. PostgreSQL's row locks
(``make pytest-postgres``); the in-memory SQLite database cannot race."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, connections

from returndesk.refunds import execution
from returndesk.refunds.gateways.base import GatewayResult
from returndesk.refunds.models import RefundTransaction
from returndesk.refunds.services import refund_create
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.testing import at_once

from .test_execution import seller_of

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the in-memory test database cannot race")


def test_two_answers_to_one_attempt_are_recorded_once(make_order: Any) -> None:
    payment = {"method": "card", "gateway": "manual", "reference": "pay-1", "amount": "65.00"}
    ret = return_to(return_opened(order=make_order(payments=[payment])), Status.INSPECTED)
    # Manual: its attempt after the commit leaves it pending, awaiting a confirmation.
    refund = refund_create(
        actor=seller_of(ret), code=ret.code, kind="refund", lines=None, shipping_amount=None, note="", request_key="k"
    )
    row = RefundTransaction.objects.get(refund=refund)
    assert (row.status, row.attempts) == ("pending", 1)
    answer = GatewayResult.succeeded("paid")

    recorded = at_once(
        8,
        lambda: execution.result_record(transaction_id=row.pk, attempt=1, result=answer),
        on_exit=connections.close_all,
    )

    assert sorted(recorded) == [False] * 7 + [True]
    ret = Return.objects.get(pk=ret.pk)
    assert ret.status == Status.RESOLVED
    assert [e.action for e in ret.events.filter(action__in=["refund_succeeded", "settle"])] == [
        "refund_succeeded",
        "settle",
    ]
