"""The permission matrix of receiving's routes: platform, seller A (who owns the return and the
parcel), seller B, two carriers, an agent, no key. A refused request changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from returndesk.receiving.models import Parcel, Receiving
from returndesk.receiving.services import parcel_create
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent
from returndesk.testing.api_matrix import (
    CALLERS,
    CREATED,
    FORB_ACTION,
    FORBIDDEN,
    JSON,
    NOT_FOUND,
    OK,
    UNAUTH,
    answer,
    declared,
    matrix_cases,
    operations,
    operations_tagged,
    resolve,
)

pytestmark = pytest.mark.django_db

MATRIX = {
    # route                           platform     seller_a  seller_b   carrier    carrier_b  agent        no key
    "POST /returns/{code}/receive": (FORB_ACTION, OK, NOT_FOUND, FORB_ACTION, FORB_ACTION, FORB_ACTION, UNAUTH),
    "POST /parcels": (FORBIDDEN, CREATED, CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "GET /parcels": (OK, OK, OK, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
    "GET /parcels/{id}": (OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
    "POST /parcels/{id}/match": (FORBIDDEN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
}
BODIES: dict[str, Any] = {
    "POST /returns/{code}/receive": lambda code: {"lines": [{"sku": "SKU-1", "quantity": 2}], "note": "Box dented"},
    "POST /parcels": lambda code: {"contents": "A lamp", "tracking_number": "RR123456785GB"},
    "GET /parcels": lambda code: None,
    "GET /parcels/{id}": lambda code: None,
    "POST /parcels/{id}/match": lambda code: {"code": code},
}
CASES = matrix_cases(CALLERS, MATRIX)


@pytest.fixture
def callers(keys):
    keys.make("carrier_b", role="carrier", carrier="other-post")
    return keys


def _request(keys, route: str, caller: str | None, ret: Return, parcel: Parcel):
    method, path = resolve(route, code=ret.code, id=parcel.public_id)
    body = BODIES[route](ret.code)
    return keys.client(caller).generic(method, path, json.dumps(body) if body is not None else "", content_type=JSON)


def _state() -> dict[str, list[Any]]:
    return {
        "returns": list(Return.objects.order_by("id").values()),
        "events": list(ReturnEvent.objects.order_by("id").values_list("id", flat=True)),
        "anomalies": list(ReturnAnomaly.objects.order_by("id").values()),
        "receivings": list(Receiving.objects.order_by("id").values()),
        "parcels": list(Parcel.objects.order_by("id").values()),
    }


def test_the_matrix_covers_receive_and_every_parcels_route():
    receive = {route for route in operations() if route.endswith("/receive")}

    assert set(MATRIX) == operations_tagged("parcels") | receive


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(callers, boxed, route, caller, expected):
    ret, parcel = boxed(), parcel_create(actor=callers.actors["seller_a"], contents="A lamp")
    before = _state()

    response = _request(callers, route, caller, ret, parcel)

    assert answer(response) == expected
    assert response.status_code in declared(route)
    if expected[0] >= 400:
        assert _state() == before
