"""The permission matrix: every route of /api/v1 for every kind of caller.

Each request gets fresh data, with the return already in the status its action needs, so a cell
shows who may do what and never whether the transition is possible.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from returndesk.accounts.models import MagicLink, StaffMembership
from returndesk.accounts.services import staff_create
from returndesk.core.problems import TYPE_BASE
from returndesk.marketplace.models import Order, OrderLine
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent, ReturnLine
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import order_payload
from returndesk.testing.api_matrix import (
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
    problem,
    resolve,
)

# Later apps' routes, with matrices of their own (labels: labels/tests/test_label_permissions.py;
# dropoffs: dropoffs/tests/test_dropoff_permissions.py; code reminders:
# returns/tests/test_code_reminder_permissions.py; parcels: receiving/tests/test_receiving_permissions.py;
# eligibility: returns/tests/test_returnable_permissions.py; policies: policies/tests; refunds and
# offers: refunds/tests).
OWN_MATRIX_TAGS = {"labels", "dropoffs", "code reminders", "parcels", "eligibility", "policies", "refunds", "offers"}
NO_ORDER = problem(404, "order_not_found")  # another seller's order, as if there were none

# seller_a owns the order and the return; seller_b is another seller; None sends no key. One
# carrier: no route here tells carriers apart (``api_matrix.CALLERS`` adds a second).
CALLERS = ("platform", "seller_a", "seller_b", "carrier", "agent", None)
MATRIX = {
    # route                          platform     seller_a     seller_b     carrier      agent        no key
    "GET /health": (OK, OK, OK, OK, OK, OK),
    "POST /orders": (CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "GET /orders/{external_id}": (OK, OK, NO_ORDER, FORBIDDEN, OK, UNAUTH),
    "POST /returns": (CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "POST /returns/preview": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "GET /returns": (OK, OK, OK, FORBIDDEN, OK, UNAUTH),
    "GET /returns/{code}": (OK, OK, NOT_FOUND, FORBIDDEN, OK, UNAUTH),
    "POST /returns/{code}/approve": (OK, OK, NOT_FOUND, FORB_ACTION, FORB_ACTION, UNAUTH),
    "POST /returns/{code}/reject": (OK, OK, NOT_FOUND, FORB_ACTION, FORB_ACTION, UNAUTH),
    "POST /returns/{code}/cancel": (OK, FORB_ACTION, NOT_FOUND, FORB_ACTION, FORB_ACTION, UNAUTH),
    "POST /returns/{code}/receive": (FORB_ACTION, OK, NOT_FOUND, FORB_ACTION, FORB_ACTION, UNAUTH),
    "POST /returns/{code}/inspect": (FORB_ACTION, OK, NOT_FOUND, FORB_ACTION, FORB_ACTION, UNAUTH),
    "POST /returns/{code}/close": (OK, FORB_ACTION, NOT_FOUND, FORB_ACTION, FORB_ACTION, UNAUTH),
    "GET /codes/{code}": (OK, OK, OK, OK, OK, UNAUTH),
    "POST /staff": (CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "GET /staff": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "PATCH /staff/{staff_id}": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "POST /staff/{staff_id}/password": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
    "POST /buyers/{external_id}/portal-links": (CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH),
}


@dataclass(frozen=True)
class Subject:
    """What a request is about: an order of seller S-A and a return on its line L1."""

    order: str
    code: str
    buyer: str
    staff_id: int


# How long before the request the return was opened (on an order delivered a day earlier); it
# reaches its status an hour after opening. Rejected long enough ago that the buyer may no longer
# escalate, so the return may close.
OPENED_AGO = {
    "requested": timedelta(hours=3),
    "approved": timedelta(hours=3),
    "received": timedelta(hours=3),
    "rejected": timedelta(days=16),
}
# Per route: the return's status before the request, and the request body.
REQUESTS: dict[str, tuple[str, Callable[[Subject], str]]] = {
    "GET /health": ("requested", lambda subject: ""),
    "POST /orders": ("requested", lambda subject: json.dumps(order_payload())),
    "GET /orders/{external_id}": ("requested", lambda subject: ""),
    "POST /returns": (
        "requested",
        lambda subject: json.dumps(
            {"order": subject.order, "lines": [{"line": "L2", "quantity": 1, "reason": "wrong_item"}]}
        ),
    ),
    "POST /returns/preview": (
        "requested",
        lambda subject: json.dumps(
            {"order": subject.order, "lines": [{"line": "L2", "quantity": 1, "reason": "wrong_item"}]}
        ),
    ),
    "GET /returns": ("requested", lambda subject: ""),
    "GET /returns/{code}": ("requested", lambda subject: ""),
    "POST /returns/{code}/approve": ("requested", lambda subject: "{}"),
    "POST /returns/{code}/reject": ("requested", lambda subject: '{"reason": "Outside the policy"}'),
    "POST /returns/{code}/cancel": ("requested", lambda subject: "{}"),
    "POST /returns/{code}/receive": ("approved", lambda subject: '{"note": "Box dented"}'),
    "POST /returns/{code}/inspect": (
        "received",
        lambda subject: json.dumps({"lines": [{"line": "L1", "outcome": "accepted", "condition": "as_new"}]}),
    ),
    "POST /returns/{code}/close": ("rejected", lambda subject: "{}"),
    "GET /codes/{code}": ("requested", lambda subject: ""),
    "POST /staff": (
        "requested",
        lambda subject: '{"email": "new@s-a.example", "role": "seller_manager", "seller": "S-A"}',
    ),
    "GET /staff": ("requested", lambda subject: ""),
    "PATCH /staff/{staff_id}": ("requested", lambda subject: '{"active": false}'),
    "POST /staff/{staff_id}/password": ("requested", lambda subject: ""),
    "POST /buyers/{external_id}/portal-links": ("requested", lambda subject: json.dumps({"return": subject.code})),
}
CASES = matrix_cases(CALLERS, MATRIX)
REFUSED = matrix_cases(CALLERS, MATRIX, refused=True)


@pytest.fixture
def subject_in(keys, make_order, make_return) -> Callable[[str], Subject]:
    """A fresh order of S-A with a return on L1 in ``status``, reached before the request."""

    def make(status: str) -> Subject:
        opened = timezone.now() - OPENED_AGO[status]
        ret = make_return(order=make_order(delivered_at=opened - timedelta(days=1), now=opened), now=opened)
        ret = return_to(ret, Status(status))
        staff, _ = staff_create(email=f"manager-{ret.pk}@s-a.example", role="seller_manager", seller="S-A")
        return Subject(order=ret.order.external_id, code=ret.code, buyer=ret.buyer.external_id, staff_id=staff.user_id)

    return make


def _request(keys, route: str, caller: str | None, subject: Subject):
    # {external_id} names the order, but the buyer on the buyers' routes.
    external_id = subject.buyer if route.split(" ")[1].startswith("/buyers/") else subject.order
    method, path = resolve(route, code=subject.code, external_id=external_id, staff_id=subject.staff_id)
    return keys.client(caller).generic(method, path, REQUESTS[route][1](subject), content_type=JSON)


def _state() -> dict[str, list[Any]]:
    return {
        "returns": list(Return.objects.order_by("id").values()),
        "return_lines": list(ReturnLine.objects.order_by("id").values()),
        "events": list(ReturnEvent.objects.order_by("id").values_list("id", flat=True)),
        "orders": list(Order.objects.order_by("id").values()),
        "order_lines": list(OrderLine.objects.order_by("id").values()),
        "staff": list(StaffMembership.objects.order_by("id").values()),
        "users": list(get_user_model().objects.order_by("id").values()),
        "sign_in_links": list(MagicLink.objects.order_by("id").values()),
    }


def test_the_matrix_covers_every_operation_of_the_api():
    general = operations() - operations_tagged(*OWN_MATRIX_TAGS)

    assert set(MATRIX) == general
    assert set(REQUESTS) == general


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(keys, subject_in, route, caller, expected):
    subject = subject_in(REQUESTS[route][0])

    response = _request(keys, route, caller, subject)

    assert answer(response) == expected
    assert response.status_code in declared(route)


@pytest.mark.parametrize(("route", "caller", "expected"), REFUSED)
def test_a_refused_request_changes_nothing(keys, subject_in, route, caller, expected):
    subject = subject_in(REQUESTS[route][0])
    before = _state()

    response = _request(keys, route, caller, subject)

    assert response.status_code == expected[0]
    assert _state() == before


@pytest.mark.parametrize(
    ("caller", "result", "shows_the_return"),
    [
        ("platform", "not_acceptable", True),
        ("seller_a", "not_acceptable", True),
        ("seller_b", "unknown", False),
        ("carrier", "not_acceptable", True),
        ("agent", "not_acceptable", True),
    ],
)
def test_the_verifier_shows_a_code_only_to_callers_who_may_see_it(keys, subject_in, caller, result, shows_the_return):
    subject = subject_in("requested")

    body = keys.client(caller).get(f"/api/v1/codes/{subject.code}").json()

    assert (body["result"], body.get("code") == subject.code) == (result, shows_the_return)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_documentation_is_open_to_every_caller(keys, caller, path):
    assert keys.client(caller).get(path).status_code == 200


@pytest.mark.parametrize("action", ["approve", "reject", "cancel", "receive", "inspect", "close"])
def test_another_sellers_return_answers_exactly_like_a_missing_one(keys, subject_in, action):
    subject = subject_in("requested")
    client, body = keys.client("seller_b"), REQUESTS[f"POST /returns/{{code}}/{action}"][1](subject)

    other = client.post(f"/api/v1/returns/{subject.code}/{action}", body, content_type=JSON)
    missing = client.post(f"/api/v1/returns/{'0' * 13}/{action}", body, content_type=JSON)

    assert (other.status_code, other.content) == (missing.status_code, missing.content)
    assert other.json() == {
        "type": TYPE_BASE + "not_found",
        "title": "No return with this code is visible to this key",
        "status": 404,
        "detail": "No return with this code is visible to this key",
        "code": "not_found",
    }
