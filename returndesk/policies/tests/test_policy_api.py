"""The policy routes: GET and PUT of a seller's (or the default's) policy, one version by number."""

from __future__ import annotations

import json
from typing import Any

import pytest

from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import ForbiddenAction
from returndesk.marketplace.models import Seller
from returndesk.policies import services
from returndesk.policies.domain.policy import CORE_DEFAULT, policy_to_json
from returndesk.policies.errors import WAREHOUSE_MAY_NOT_EDIT
from returndesk.policies.models import PolicyVersion
from returndesk.testing import NOW, Keys, frozen_clock
from returndesk.testing.api_matrix import (
    FORB_ACTION,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    UNAUTH,
    Expected,
    answer,
    declared,
    matrix_cases,
    operations_tagged,
    problem,
    resolve,
)

SELLER_NOT_FOUND = problem(404, "seller_not_found")
CALLERS = ("platform", "seller_a", "seller_b", "carrier", "agent", None)
MATRIX = {
    # route                              platform  seller_a  seller_b          carrier    agent      no key
    "GET /policies/{seller}": (OK, OK, SELLER_NOT_FOUND, FORBIDDEN, OK, UNAUTH),
    "PUT /policies/{seller}": (OK, OK, SELLER_NOT_FOUND, FORBIDDEN, FORBIDDEN, UNAUTH),
    "GET /policies/versions/{version}": (OK, OK, NOT_FOUND, FORBIDDEN, OK, UNAUTH),
}
# The default's policy: every reader may read it, only the platform change it.
DEFAULT_MATRIX = {
    "GET /policies/{seller}": (OK, OK, OK, FORBIDDEN, OK, UNAUTH),
    "PUT /policies/{seller}": (OK, FORB_ACTION, FORB_ACTION, FORBIDDEN, FORBIDDEN, UNAUTH),
    "GET /policies/versions/{version}": (OK, OK, OK, FORBIDDEN, OK, UNAUTH),
}
BODY = {"window_days": 45, "restocking_fee_percent": "10"}


def put(keys: Keys, caller: str | None, seller: str, body: dict[str, Any]) -> Any:
    return keys.client(caller).put(f"/api/v1/policies/{seller}", json.dumps(body), content_type="application/json")


def get(keys: Keys, caller: str | None, path: str) -> Any:
    return keys.client(caller).get(f"/api/v1/policies/{path}")


def test_the_matrix_covers_every_policies_route() -> None:
    assert set(MATRIX) == operations_tagged("policies")


@pytest.mark.parametrize(("route", "caller", "expected"), matrix_cases(CALLERS, MATRIX))
def test_permission_matrix_for_a_seller_s_policy(
    keys: Keys, route: str, caller: str | None, expected: Expected
) -> None:
    own = put(keys, "platform", "S-A", {"window_days": 40}).json()["version"]
    before = list(PolicyVersion.objects.values_list("version", flat=True))

    method, path = resolve(route, seller="S-A", version=own)
    response = keys.client(caller).generic(method, path, json.dumps(BODY), content_type="application/json")

    assert answer(response) == expected
    assert response.status_code in declared(route)
    made = list(PolicyVersion.objects.values_list("version", flat=True))
    assert (made != before) == (method == "PUT" and expected == OK)


@pytest.mark.parametrize(("route", "caller", "expected"), matrix_cases(CALLERS, DEFAULT_MATRIX))
def test_permission_matrix_for_the_default(keys: Keys, route: str, caller: str | None, expected: Expected) -> None:
    method, path = resolve(route, seller="default", version=1)
    response = keys.client(caller).generic(method, path, json.dumps(BODY), content_type="application/json")

    assert answer(response) == expected
    assert response.status_code in declared(route)
    assert PolicyVersion.objects.count() == (2 if method == "PUT" and expected == OK else 1)


def test_a_seller_without_a_version_inherits_the_default(keys: Keys, django_assert_num_queries) -> None:
    with django_assert_num_queries(3):  # the key, the seller, the versions
        response = get(keys, "seller_a", "S-A")

    body = response.json()
    assert response.status_code == 200
    assert {k: body[k] for k in ("seller", "version", "inherited", "history")} == {
        "seller": "S-A",
        "version": 1,
        "inherited": True,
        "history": [],
    }
    # The default's bounds bind the seller (``bounds``); the seller's own policy holds none.
    assert body["bounds"] == policy_to_json(CORE_DEFAULT)["seller_bounds"]
    assert {k: v for k, v in body.items() if k in policy_to_json(CORE_DEFAULT)} == policy_to_json(CORE_DEFAULT) | {
        "seller_bounds": None
    }


def test_a_seller_s_put_makes_a_version_of_every_field_and_keeps_the_history(keys: Keys) -> None:
    with frozen_clock(NOW):
        first = put(keys, "seller_a", "S-A", BODY)
    with frozen_clock(NOW.replace(hour=13)):
        second = put(keys, "seller_a", "S-A", {"exchanges": False})

    assert first.status_code == second.status_code == 200
    body = second.json()
    assert (body["seller"], body["inherited"], body["window_days"], body["restocking_fee_percent"]) == (
        "S-A",
        False,
        45,
        "10",
    )
    assert (body["exchanges"], body["seller_bounds"], body["clock_days"]) == (
        False,
        None,
        policy_to_json(CORE_DEFAULT)["clock_days"],
    )
    assert body["history"] == [
        {"version": body["version"], "effective_at": "2026-03-10T13:00:00Z", "changed": ["exchanges"]},
        {
            "version": first.json()["version"],
            "effective_at": "2026-03-10T12:00:00Z",
            "changed": ["window_days", "restocking_fee_percent"],
        },
    ]
    row = PolicyVersion.objects.get(version=body["version"])
    assert (row.seller.external_id, row.actor_kind, row.actor_id) == ("S-A", "seller_key", keys.actors["seller_a"].id)
    assert get(keys, "seller_a", f"versions/{first.json()['version']}").json()["window_days"] == 45


def test_an_equal_put_makes_no_version_and_answers_the_one_in_force(keys: Keys) -> None:
    made = put(keys, "seller_a", "S-A", BODY).json()
    count = PolicyVersion.objects.count()

    again = put(keys, "seller_a", "S-A", {**BODY, "exchanges": True})
    # A GET's fields PUT back are equal too, the platform-only ones included.
    fields = {k: v for k, v in made.items() if k in policy_to_json(CORE_DEFAULT)}
    back = put(keys, "seller_a", "S-A", fields)

    assert again.status_code == back.status_code == 200
    assert again.json() == back.json() == made
    assert PolicyVersion.objects.count() == count


def test_a_put_equal_to_the_inherited_default_makes_no_version(keys: Keys) -> None:
    response = put(keys, "seller_a", "S-A", {"window_days": 30})

    assert (response.json()["version"], response.json()["inherited"]) == (1, True)
    assert PolicyVersion.objects.count() == 1


def test_a_seller_outside_the_bounds_is_told_each_value(keys: Keys) -> None:
    response = put(
        keys,
        "seller_a",
        "S-A",
        {"window_days": 7, "free_window_days": 7, "return_shipping_fee": {"EUR": "4.99"}, "clock_days": {"transit": 9}},
    )

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["title"]) == ("outside_platform_bounds", "The policy is outside the platform's bounds")
    assert body["errors"] == [
        {
            "loc": ["body", "window_days"],
            "code": "below_minimum",
            "msg": "window_days must be at least 14 days (the EU's right of withdrawal).",
        },
        {
            "loc": ["body", "return_shipping_fee", "EUR"],
            "code": "currency_not_allowed",
            "msg": "The platform allows no return shipping fee in EUR: leave EUR out.",
        },
        {
            "loc": ["body", "clock_days"],
            "code": "not_editable",
            "msg": "Only the platform sets clock_days: send its current value or leave it out.",
        },
    ]
    assert body["detail"] == " ".join(error["msg"] for error in body["errors"])
    assert PolicyVersion.objects.count() == 1


def test_the_platform_may_set_what_binds_sellers(keys: Keys) -> None:
    default = put(
        keys,
        "platform",
        "default",
        {"seller_bounds": {"max_return_shipping_fee": {"EUR": "5.00"}, "max_window_days": 60}},
    )
    allowed = put(keys, "seller_a", "S-A", {"return_shipping_fee": {"EUR": "4.99"}})
    too_long = put(keys, "seller_a", "S-A", {"window_days": 61})
    platform = put(keys, "platform", "S-B", {"window_days": 90, "clock_days": {"transit": 9}})

    assert default.status_code == allowed.status_code == platform.status_code == 200
    assert default.json()["seller_bounds"]["max_return_shipping_fee"] == {"EUR": "5.00"}
    assert allowed.json()["return_shipping_fee"] == {"EUR": "4.99"}
    assert [(e["loc"], e["code"]) for e in too_long.json()["errors"]] == [(["body", "window_days"], "above_maximum")]
    assert (platform.json()["window_days"], platform.json()["clock_days"]["transit"]) == (90, 9)


@pytest.mark.parametrize(
    ("seller", "body", "loc"),
    [
        ("S-A", {"window_days": "30"}, ["body", "payload", "window_days"]),
        ("S-A", {"colour": "red"}, ["body", "payload", "colour"]),
        ("S-A", {"return_shipping_fee": {"EURO": "1"}}, ["body", "return_shipping_fee", "EURO"]),
        ("S-A", {"seller_bounds": {"min_window_days": 20}}, ["body", "seller_bounds"]),
        ("default", {"seller_bounds": None}, ["body", "seller_bounds"]),
    ],
)
def test_a_malformed_value_is_a_validation_error(keys: Keys, seller: str, body: dict[str, Any], loc: list[str]) -> None:
    response = put(keys, "platform", seller, body)

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert [error["loc"] for error in response.json()["errors"]] == [loc]
    assert PolicyVersion.objects.count() == 1


def test_unknown_sellers_and_versions_are_not_found(keys: Keys) -> None:
    assert get(keys, "platform", "S-NOPE").json()["code"] == "seller_not_found"
    assert put(keys, "platform", "S-NOPE", BODY).json()["code"] == "seller_not_found"
    assert get(keys, "platform", "versions/99").json()["code"] == "not_found"


def test_warehouse_staff_may_not_change_the_policy(keys: Keys) -> None:
    seller = Seller.objects.get(external_id="S-A")
    warehouse = Actor(kind=ActorKind.SELLER_USER, id="7", seller_id=seller.pk, staff_role=StaffRole.SELLER_WAREHOUSE)

    with pytest.raises(ForbiddenAction) as refused:
        services.policy_put(actor=warehouse, seller="S-A", body={"window_days": 40})

    assert refused.value.detail == WAREHOUSE_MAY_NOT_EDIT
    assert PolicyVersion.objects.count() == 1


def test_a_return_opened_before_a_put_keeps_its_version(keys: Keys, make_return) -> None:
    before = make_return()
    version = put(keys, "seller_a", "S-A", {"window_days": 40}).json()["version"]
    after = make_return()

    assert (before.policy_id, after.policy_id) == (1, version)
    answer_before = keys.client("seller_a").get(f"/api/v1/returns/{before.code}").json()
    assert answer_before["policy_version"] == 1


def test_a_put_whose_body_is_not_json_is_415_as_declared(keys: Keys) -> None:
    response = keys.client("platform").put("/api/v1/policies/S-A", "window_days=40", content_type="text/plain")

    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert 415 in declared("PUT /policies/{seller}")
