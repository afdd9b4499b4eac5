"""Approving a return tells the buyer where to send the parcel: a seller without a return address
cannot approve, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from returndesk.core.actors import SYSTEM_CLOCK
from returndesk.returns import services
from returndesk.returns.errors import ReturnAddressMissing
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import order_placed, return_opened
from returndesk.scenarios.payloads import seller_payload
from returndesk.testing import NOW

# Constraints, locking, raw SQL and query plans: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database


@pytest.fixture
def requested(db: None, keys: Any) -> Return:
    """A requested return of seller S-A, whose orders came without a return address."""
    return return_opened(order=order_placed(seller=seller_payload("S-A", return_address=None)))


def snapshot(ret: Return) -> dict[str, Any]:
    row = Return.objects.get(pk=ret.pk)
    return {
        "status": row.status,
        "ship_by": row.ship_by,
        "due_at": row.due_at,
        "updated_at": row.updated_at,
        "events": row.events.count(),
    }


def test_api_approving_for_a_seller_without_a_return_address_is_refused(keys: Any, requested: Return) -> None:
    before = snapshot(requested)

    response = keys.client("seller_a").post(
        f"/api/v1/returns/{requested.code}/approve", {}, content_type="application/json"
    )

    assert (response.status_code, response["Content-Type"]) == (409, "application/problem+json")
    assert response.json() == {
        "type": "urn:returndesk:problem:return_address_missing",
        "title": "The seller has no return address to send the parcel to",
        "status": 409,
        "detail": "Seller 'S-A' has no return address, so the buyer would have nowhere to send the parcel."
        " Import one of the seller's orders again with its return_address.",
        "code": "return_address_missing",
    }
    assert snapshot(requested) == before


def test_the_clock_does_not_approve_for_a_seller_without_a_return_address(requested: Return) -> None:
    before = snapshot(requested)
    assert requested.due_at is not None

    with pytest.raises(ReturnAddressMissing):
        services.return_approve(code=requested.code, actor=SYSTEM_CLOCK, now=requested.due_at)

    assert snapshot(requested) == before


def test_a_reimport_with_an_address_lets_the_seller_approve(keys: Any, requested: Return) -> None:
    order_placed(external_id=requested.order.external_id, seller=seller_payload("S-A"), now=NOW)

    approved = services.return_approve(code=requested.code, actor=keys.actors["seller_a"], now=NOW)

    assert (approved.status, approved.seller.return_address["city"]) == ("approved", "City of S-A")
