"""The refund routes through HTTP: the Idempotency-Key a refund requires, the answer's shapes
(the return with its refunds, a refund, a return's refunds), replays, and the refusals' bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from returndesk.api import api
from returndesk.refunds.models import Refund
from returndesk.refunds.tests.conftest import LATER
from returndesk.returns.models import Return
from returndesk.scenarios.payloads import order_payload
from returndesk.testing import Keys, iso
from returndesk.testing.api_matrix import declared

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any] | None = None, key: str | None = "key-1") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, json.dumps(body or {}), content_type="application/json", headers=headers)


def refund_answer(ret: Return, refund: Refund, **members: Any) -> dict[str, Any]:
    transaction = refund.transactions.get()
    answer = {
        "id": refund.pk,
        "return": ret.code,
        "kind": "refund",
        "currency": "EUR",
        "lines": [
            {
                "line": "L1",
                "quantity": 1,
                "paid_share": "18.00",
                "restocking_fee": "0.00",
                "return_shipping_fee": "0.00",
                "amount": "18.00",
            }
        ],
        "shipping_amount": "1.50",
        "total": "19.50",
        "status": "pending",
        "note": "",
        "created_at": iso(LATER),
        "created_by": {"kind": "seller_key", "id": transaction.refund.created_by_id, "on_behalf_of": None},
        "transactions": [
            {
                "id": transaction.pk,
                "payment": {"method": "card", "gateway": "", "reference": ""},
                # A blank gateway is the default's: the fake one, embedded (and in tests).
                "gateway": "fake",
                "amount": "19.50",
                "status": "pending",
                "awaiting": None,
                "attempts": 0,
                "gateway_reference": None,
                "failure": None,
                "created_at": iso(LATER),
                "succeeded_at": None,
                # Card, 3-20 business days of Spain from Wednesday 11 March, while pending.
                "expected_arrival": {"earliest": "2026-03-16", "latest": "2026-04-09", "provisional": True},
            }
        ],
    }
    return answer | members


def test_a_refund_without_an_idempotency_key_is_refused_with_428(inspected, keys: Keys) -> None:
    ret = inspected()

    response = post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/refund", key=None)

    assert (response.status_code, response.json()["code"]) == (428, "idempotency_key_required")
    assert Refund.objects.count() == 0


def test_the_refund_answers_the_return_with_its_refunds(inspected, keys: Keys) -> None:
    ret = inspected()

    response = post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/refund", {"note": ""})

    assert response.status_code == 200
    body = response.json()
    refund = Refund.objects.get()
    assert body["refunds"] == [refund_answer(ret, refund)]
    assert (body["status"], body["resolution"], body["refunded_total"]) == ("refunding", "refund", "19.50")
    assert [(line["line"], line["refunded"]) for line in body["lines"]] == [("L1", "18.00")]


def test_a_repeat_with_the_same_key_replays_the_first_answer(inspected, keys: Keys) -> None:
    ret = inspected()
    client = keys.client("seller_a")
    first = post(client, f"/api/v1/returns/{ret.code}/refund")

    again = post(client, f"/api/v1/returns/{ret.code.lower()}/refund")

    assert (again.status_code, again.content) == (200, first.content)
    assert Refund.objects.count() == 1


def test_the_refunds_of_a_return_and_one_refund(inspected, keys: Keys) -> None:
    ret = inspected()
    post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/refund")
    refund = Refund.objects.get()

    listed = keys.client("agent").get(f"/api/v1/returns/{ret.code}/refunds")
    one = keys.client("platform").get(f"/api/v1/refunds/{refund.pk}")

    assert (listed.status_code, listed.json()) == (200, {"items": [refund_answer(ret, refund)]})
    assert (one.status_code, one.json()) == (200, refund_answer(ret, refund))


def test_a_list_of_returns_shows_the_refunded_total_but_not_the_refunds(inspected, keys: Keys) -> None:
    ret = inspected()
    post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/refund")

    item = keys.client("platform").get("/api/v1/returns").json()["items"][0]

    assert (item["code"], item["refunded_total"], "refunds" in item) == (ret.code, "19.50", False)


def test_an_amount_over_its_cap_names_each_and_what_remains(inspected, keys: Keys) -> None:
    ret = inspected()

    response = post(
        keys.client("seller_a"),
        f"/api/v1/returns/{ret.code}/refund",
        {"lines": [{"line": "L1", "amount": "18.01"}], "shipping_amount": "5.00"},
    )

    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "loc": ["body", "lines", 0, "amount"],
            "line": "L1",
            "msg": "18.01 EUR is more than the 18.00 EUR left to refund for line 'L1'.",
            "remaining": "18.00",
        }
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lines": [{"line": "L1", "amount": "0"}]}, 422, "zero_amount"),
        ({"lines": [{"line": "L9", "amount": "1"}]}, 422, "line_not_in_return"),
        ({"lines": [{"line": "L1", "amount": "1.001"}]}, 422, "amount_not_representable"),
    ],
)
def test_refusals(inspected, keys: Keys, body: dict[str, Any], status: int, code: str) -> None:
    ret = inspected()

    response = post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/refund", body)

    assert (response.status_code, response.json()["code"], Refund.objects.count()) == (status, code, 0)


def test_nothing_left_to_refund_by_default(inspected, keys: Keys) -> None:
    ret = inspected()
    client = keys.client("seller_a")
    post(client, f"/api/v1/returns/{ret.code}/refund", key="k1")

    response = post(client, f"/api/v1/returns/{ret.code}/refund", key="k2")

    assert (response.status_code, response.json()["code"]) == (409, "nothing_to_refund")


def test_keep_answers_the_return_refunding_keep_item(make_return, keys: Keys) -> None:
    ret = make_return()

    response = post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/keep", {"note": "Keep it"}, key=None)

    body = response.json()
    assert (response.status_code, body["status"], body["resolution"]) == (200, "refunding", "keep_item")
    assert [(refund["kind"], refund["total"], refund["note"]) for refund in body["refunds"]] == [
        ("keep", "19.50", "Keep it")
    ]


def test_a_reimport_after_a_refund_answers_200_and_keeps_the_ledger(inspected, keys: Keys) -> None:
    ret = inspected()
    post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/refund")
    payload = order_payload(external_id=ret.order.external_id, number="N-again")

    response = keys.client("platform").post("/api/v1/orders", payload, content_type="application/json")

    assert (response.status_code, response.json()["number"]) == (200, "N-again")
    assert keys.client("platform").get(f"/api/v1/returns/{ret.code}").json()["refunded_total"] == "19.50"


@pytest.mark.parametrize(
    ("route", "statuses"),
    [
        # Every route declares 414; every POST 413 and 415 too (the API's own conventions).
        ("POST /returns/{code}/refund", {200, 400, 401, 403, 404, 409, 413, 414, 415, 422, 428}),
        ("POST /returns/{code}/keep", {200, 400, 401, 403, 404, 409, 413, 414, 415, 422}),
        ("GET /returns/{code}/refunds", {200, 401, 403, 404, 414, 422}),
        ("GET /refunds/{id}", {200, 401, 403, 404, 414, 422}),
    ],
)
def test_openapi_declares_each_status(route: str, statuses: set[int]) -> None:
    assert declared(route) == statuses


def test_openapi_names_the_refunds_return_as_the_answer_does() -> None:
    refund = api.get_openapi_schema()["components"]["schemas"]["RefundOut"]

    assert ("return" in refund["properties"], "return_" in refund["properties"], "return" in refund["required"]) == (
        True,
        False,
        True,
    )


@pytest.mark.parametrize("count", [1, 3])
def test_a_returns_refunds_cost_the_same_queries_however_many(
    inspected, keys: Keys, django_assert_num_queries, count: int
) -> None:
    ret = inspected()
    client = keys.client("seller_a")
    for index in range(count):
        body = {"lines": [{"line": "L1", "amount": "1.00"}]}
        assert post(client, f"/api/v1/returns/{ret.code}/refund", body, key=f"k{index}").status_code == 200
    client.get(f"/api/v1/returns/{ret.code}/refunds")

    # The return (its order joined), the refunds, their lines, their transactions.
    with django_assert_num_queries(4):
        listed = client.get(f"/api/v1/returns/{ret.code}/refunds")

    assert len(listed.json()["items"]) == count
