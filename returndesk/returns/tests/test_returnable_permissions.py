"""The permission matrix of GET /orders/{external_id}/returnable: platform, seller A (who owns the
order), seller B, two carriers, an agent, no key. It reads only: a refused request changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from returndesk.marketplace.models import Order, OrderLine
from returndesk.returns.models import Return, ReturnLine
from returndesk.testing.api_matrix import (
    CALLERS,
    FORBIDDEN,
    OK,
    UNAUTH,
    answer,
    declared,
    matrix_cases,
    operations_tagged,
    problem,
    resolve,
)

pytestmark = pytest.mark.django_db

NO_ORDER = problem(404, "order_not_found")  # another seller's order, as if there were none
MATRIX = {
    # route                                 platform seller_a seller_b  carrier    carrier_b  agent no key
    "GET /orders/{external_id}/returnable": (OK, OK, NO_ORDER, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
}
CASES = matrix_cases(CALLERS, MATRIX)


@pytest.fixture
def callers(keys):
    keys.make("carrier_b", role="carrier", carrier="other-post")
    return keys


def _state() -> dict[str, list[Any]]:
    return {
        "orders": list(Order.objects.order_by("id").values()),
        "order_lines": list(OrderLine.objects.order_by("id").values()),
        "returns": list(Return.objects.order_by("id").values()),
        "return_lines": list(ReturnLine.objects.order_by("id").values()),
    }


def test_the_matrix_covers_every_eligibility_route():
    assert set(MATRIX) == operations_tagged("eligibility")


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(callers, make_return, route, caller, expected):
    ret = make_return()
    before = _state()

    response = callers.client(caller).generic(*resolve(route, external_id=ret.order.external_id))

    assert answer(response) == expected
    assert response.status_code in declared(route)
    assert _state() == before
