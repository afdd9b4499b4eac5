"""Who may offer, answer an offer and exchange: the permission matrix of the ``offers`` routes.

The seller offers (its own returns); the platform answers for the buyer; the seller and the
platform exchange. Every other key is refused 403 ``forbidden_action`` by the lifecycle (a
carrier's before the code is looked up), another seller's return answers 404 like a missing one,
and a refused request changes nothing.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from returndesk.refunds.models import Offer, Refund
from returndesk.refunds.offers import return_offer
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent, ReturnLine
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.api_matrix import (
    CALLERS,
    FORB_ACTION,
    JSON,
    NOT_FOUND,
    OK,
    UNAUTH,
    answer,
    declared,
    matrix_cases,
    operations_tagged,
    resolve,
)

pytestmark = pytest.mark.django_db

NO = FORB_ACTION
MATRIX = {
    # route                                platform seller_a seller_b   carrier carrier_b agent no key
    "POST /returns/{code}/offer":          (NO,     OK,      NOT_FOUND, NO,     NO,       NO,   UNAUTH),
    "POST /returns/{code}/accept_offer":   (OK,     NO,      NOT_FOUND, NO,     NO,       NO,   UNAUTH),
    "POST /returns/{code}/decline_offer":  (OK,     NO,      NOT_FOUND, NO,     NO,       NO,   UNAUTH),
    "POST /returns/{code}/exchange":       (OK,     OK,      NOT_FOUND, NO,     NO,       NO,   UNAUTH),
}  # fmt: skip
# Per route: the return's status before the request, whether an offer is open, and the body.
SCENES: dict[str, tuple[Status, bool, dict[str, Any]]] = {
    "POST /returns/{code}/offer": (Status.REQUESTED, False, {"amount": "5.00", "message": "5 EUR back?"}),
    "POST /returns/{code}/accept_offer": (Status.REQUESTED, True, {}),
    "POST /returns/{code}/decline_offer": (Status.REQUESTED, True, {"reason": "No"}),
    "POST /returns/{code}/exchange": (Status.INSPECTED, False, {"lines": [{"line": "L1", "variant_id": "V-2"}]}),
}
HOUR = timedelta(hours=1)
ANSWERED_AT = NOW + timedelta(days=1)


def test_the_matrix_covers_every_offers_operation():
    assert set(MATRIX) == set(SCENES) == operations_tagged("offers")


@pytest.fixture
def scene(keys, make_return):
    keys.make("carrier_b", role="carrier", carrier="other-post")

    def make(route: str) -> str:
        status, offered, _body = SCENES[route]
        ret = return_to(make_return(), status)
        if offered:
            seller = keys.actors["seller_a"]
            return_offer(actor=seller, code=ret.code, amount=Decimal("5.00"), message="5 EUR?", now=NOW + HOUR)
        return ret.code

    return make


def _request(keys, route: str, caller: str | None, code: str):
    _, path = resolve(route, code=code)
    with frozen_clock(ANSWERED_AT):
        return keys.client(caller).post(path, json.dumps(SCENES[route][2]), content_type=JSON)


def _state() -> dict[str, list[Any]]:
    return {
        "returns": list(Return.objects.order_by("id").values()),
        "lines": list(ReturnLine.objects.order_by("id").values()),
        "events": list(ReturnEvent.objects.order_by("id").values_list("id", flat=True)),
        "offers": list(Offer.objects.order_by("id").values()),
        "refunds": list(Refund.objects.order_by("id").values()),
    }


@pytest.mark.parametrize(("route", "caller", "expected"), matrix_cases(CALLERS, MATRIX))
def test_permission_matrix(keys, scene, route, caller, expected):
    response = _request(keys, route, caller, scene(route))

    assert answer(response) == expected
    assert response.status_code in declared(route)


@pytest.mark.parametrize(("route", "caller", "expected"), matrix_cases(CALLERS, MATRIX, refused=True))
def test_a_refused_request_changes_nothing(keys, scene, route, caller, expected):
    code = scene(route)
    before = _state()

    response = _request(keys, route, caller, code)

    assert (response.status_code, _state()) == (expected[0], before)


@pytest.mark.parametrize("route", list(MATRIX))
def test_another_sellers_return_answers_exactly_like_a_missing_one(keys, scene, route):
    other = _request(keys, route, "seller_b", scene(route))
    missing = _request(keys, route, "seller_b", "0" * 13)

    assert (other.status_code, other.content) == (missing.status_code, missing.content)


def test_openapi_declares_each_offers_route_with_its_refusals():
    statuses = (200, 400, 401, 403, 404, 409, 413, 414, 415, 422)
    assert {route: tuple(sorted(declared(route))) for route in MATRIX} == dict.fromkeys(MATRIX, statuses)
