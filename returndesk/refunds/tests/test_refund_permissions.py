"""The permission matrix of the ledger's refund routes: platform, seller A (whose return it is),
seller B, two carriers, an agent, no key. A refused request changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from returndesk.refunds.models import Refund
from returndesk.refunds.services import return_refund
from returndesk.refunds.tests.conftest import seller_of
from returndesk.returns.models import Return, ReturnEvent
from returndesk.testing.api_matrix import (
    CALLERS,
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
    resolve,
)

pytestmark = pytest.mark.django_db

MATRIX = {
    # route                            platform  seller_a  seller_b   carrier      carrier_b    agent        no key
    "POST /returns/{code}/refund": (OK, OK, NOT_FOUND, FORB_ACTION, FORB_ACTION, OK, UNAUTH),
    "POST /returns/{code}/keep": (OK, OK, NOT_FOUND, FORB_ACTION, FORB_ACTION, FORB_ACTION, UNAUTH),
    "GET /returns/{code}/refunds": (OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
    "GET /refunds/{id}": (OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
}
CASES = matrix_cases(CALLERS, MATRIX)


@pytest.fixture
def callers(keys):
    keys.make("carrier_b", role="carrier", carrier="other-post")
    return keys


def _scene(route: str, inspected, make_return) -> tuple[Return, int]:
    """A return the route acts on: inspected to be refunded, requested to be kept, refunded to be read."""
    if route.endswith("/keep"):
        return make_return(), 0
    ret = inspected()
    if route.startswith("GET"):
        return_refund(actor=seller_of(ret), code=ret.code, request_key="scene")
        return ret, Refund.objects.get(return_request=ret).pk
    return ret, 0


def _state() -> dict[str, list[Any]]:
    return {
        "returns": list(Return.objects.order_by("id").values()),
        "events": list(ReturnEvent.objects.order_by("id").values_list("id", flat=True)),
        "refunds": list(Refund.objects.order_by("id").values()),
    }


def test_the_matrix_covers_the_ledgers_refund_routes():
    # The offers' and the transactions' routes have matrices of their own.
    assert set(MATRIX) <= operations()


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(callers, inspected, make_return, route, caller, expected):  # noqa: PLR0917 (pytest passes them)
    ret, refund_id = _scene(route, inspected, make_return)
    method, path = resolve(route, code=ret.code, id=refund_id)
    before = _state()

    response = callers.client(caller).generic(
        method, path, json.dumps({}) if method == "POST" else "", content_type=JSON, headers={"Idempotency-Key": "m"}
    )

    assert answer(response) == expected
    assert response.status_code in declared(route)
    if expected[0] >= 400:
        assert _state() == before
