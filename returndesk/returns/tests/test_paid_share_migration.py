"""The migration that adds what opening now records gives the lines of returns opened before it
the paid shares their units carry, in the order the returns opened, counting only returns that
still hold units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return, ReturnLine
from returndesk.scenarios.journeys import order_placed, return_opened, return_to
from returndesk.scenarios.payloads import line_payload

BEFORE = [("returns", "0007_return_policy")]
AFTER = [("returns", "0008_opening_preferences")]


@pytest.mark.database
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrations")
def test_returns_opened_before_get_the_paid_shares_of_their_units() -> None:
    order = order_placed(lines=[line_payload("L1", quantity=3, unit_price="4.00", paid_amount="10.00")])
    one = [RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)]
    first = return_opened(order=order, lines=one)
    cancelled = return_to(return_opened(order=order, lines=one), Status.CANCELLED)
    second, third = return_opened(order=order, lines=one), return_opened(order=order, lines=one)
    # As the returns were before the migration: no share, no preference.
    ReturnLine.objects.update(paid_share=0)

    MigrationExecutor(connection).migrate(BEFORE)
    MigrationExecutor(connection).migrate(AFTER)

    shares = dict(ReturnLine.objects.values_list("return_request__code", "paid_share"))
    assert [shares[ret.code] for ret in (first, cancelled, second, third)] == [
        Decimal("3.33"),
        Decimal(0),  # cancelled: it no longer holds the unit it named
        Decimal("3.33"),
        Decimal("3.34"),
    ]
    assert set(Return.objects.values_list("preferred_resolution", "free_return", "eu_withdrawal")) == {
        ("refund", False, False)
    }
