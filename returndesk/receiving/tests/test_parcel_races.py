"""Concurrent matches of one parcel, with real threads on the test database: one wins."""

from __future__ import annotations

import pytest
from django.db import connection, connections

from returndesk.core.errors import ReturndeskError
from returndesk.receiving.errors import ParcelAlreadyMatched
from returndesk.receiving.models import Parcel, Receiving
from returndesk.receiving.services import parcel_create, parcel_match
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.testing import at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite test database refuses a second connection (see returns' race tests)")


def test_two_matches_of_one_parcel_to_two_returns_receive_one(boxed, keys):
    returns = [boxed(), boxed()]
    parcel = parcel_create(actor=keys.actors["seller_a"], contents="A lamp")
    pending = list(returns)

    def match() -> str:
        code = pending.pop().code
        try:
            parcel_match(parcel_id=parcel.public_id, actor=keys.actors["seller_a"], code=code)
        except ReturndeskError as error:
            return error.code
        return "matched"

    outcomes = at_once(2, match, on_exit=connections.close_all)

    assert sorted(outcomes) == ["matched", ParcelAlreadyMatched.code]
    statuses = sorted(Return.objects.filter(pk__in=[ret.pk for ret in returns]).values_list("status", flat=True))
    assert statuses == sorted([Status.APPROVED, Status.RECEIVED])
    received = Return.objects.get(pk__in=[ret.pk for ret in returns], status=Status.RECEIVED)
    assert Parcel.objects.get(pk=parcel.pk).matched_return_id == received.pk
    assert Receiving.objects.count() == 1
