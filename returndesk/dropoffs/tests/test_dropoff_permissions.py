"""The permission matrix of the drop-off routes: platform, seller A and B, two carriers, agent, no key.

Each request gets a fresh approved return of seller A, both carriers with a point ``P-1``, and a
receipt of carrier ``post`` (A) on another return; a refused request changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from returndesk.dropoffs.models import DropoffPoint, Receipt
from returndesk.dropoffs.services import dropoff_point_register, return_handover
from returndesk.returns.models import Return, ReturnEvent
from returndesk.testing import NOW, Keys, frozen_clock
from returndesk.testing.api_matrix import (
    CREATED,
    FORBIDDEN,
    JSON,
    NOT_FOUND,
    OK,
    UNAUTH,
    Expected,
    answer,
    declared,
    matrix_cases,
    operations_tagged,
    resolve,
)

from .conftest import ADDRESS

LATER = NOW + timedelta(hours=3)

# The carriers are the ``carriers`` fixture's: post_a of carrier post (A), post_b of parcel (B).
CALLERS = ("platform", "seller_a", "seller_b", "post_a", "post_b", "agent", None)
MATRIX = {
    # route                          platform   seller_a   seller_b   carrier A  carrier B  agent      no key
    "POST /dropoff-points": (FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, CREATED, FORBIDDEN, UNAUTH),
    "GET /dropoff-points": (OK, FORBIDDEN, FORBIDDEN, OK, OK, OK, UNAUTH),
    "POST /dropoffs": (CREATED, FORBIDDEN, FORBIDDEN, CREATED, CREATED, FORBIDDEN, UNAUTH),
    "GET /dropoffs/{receipt_id}": (OK, OK, NOT_FOUND, OK, NOT_FOUND, OK, UNAUTH),
}
CASES = matrix_cases(CALLERS, MATRIX)


def _body(route: str, caller: str | None, code: str) -> str:
    if route == "POST /dropoff-points":
        return json.dumps({"point_id": "P-NEW", "name": "New kiosk", "address": ADDRESS})
    if route == "POST /dropoffs":
        if caller in ("post_a", "post_b"):
            return json.dumps({"code": code, "point_id": "P-1"})
        return json.dumps({"code": code, "carrier": "dhl", "tracking_number": "RR123456785GB"})
    return ""


@pytest.fixture
def scene(carriers: Keys, make_approved: Callable[..., Return]) -> Callable[[], tuple[str, str]]:
    """(the code of a fresh approved return of S-A, the id of carrier A's receipt of another)."""
    for name in ("post_a", "post_b"):
        dropoff_point_register(actor=carriers.actors[name], point_id="P-1", name="Kiosk", address=ADDRESS, now=NOW)

    def make() -> tuple[str, str]:
        handed = make_approved()
        receipt = return_handover(
            actor=carriers.actors["post_a"], code=handed.code, carrier="post", point_id="P-1", now=LATER
        )
        return make_approved().code, receipt.receipt_id

    return make


def _state() -> dict[str, list[Any]]:
    return {
        "returns": list(Return.objects.order_by("id").values()),
        "events": list(ReturnEvent.objects.order_by("id").values_list("id", flat=True)),
        "points": list(DropoffPoint.objects.order_by("id").values()),
        "receipts": list(Receipt.objects.order_by("id").values()),
    }


def test_the_matrix_covers_every_route_of_the_app() -> None:
    # Tracking events have their own test (test_tracking_permissions.py).
    assert set(MATRIX) == {route for route in operations_tagged("dropoffs") if "tracking" not in route}


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(carriers: Keys, scene, route: str, caller: str | None, expected: Expected) -> None:
    code, receipt_id = scene()
    before = _state()
    method, path = resolve(route, receipt_id=receipt_id)

    with frozen_clock(LATER):
        response = carriers.client(caller).generic(method, path, _body(route, caller, code), content_type=JSON)

    assert answer(response) == expected
    assert response.status_code in declared(route)
    if response.status_code >= 400:
        assert _state() == before
