"""The routes of refund transactions (confirm, retry, release, cancel): the permission matrix,
their OpenAPI statuses, Idempotency-Key replays, and the ``refund_status`` queue of ``GET /returns``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from returndesk.marketplace.models import Order, Seller
from returndesk.policies.domain.policy import ReturnPolicy, policy_to_json
from returndesk.policies.models import PolicyVersion
from returndesk.refunds.models import Refund, RefundTransaction
from returndesk.refunds.services import refund_create
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.testing import NOW, Keys, frozen_clock
from returndesk.testing.api_matrix import (
    CALLERS,
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
    resolve,
)

AT = NOW + timedelta(days=1)
MATRIX = {
    # route                           platform     seller_a  seller_b   carrier    carrier_b  agent  no key
    "POST /refunds/{id}/confirm": (FORB_ACTION, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
    "POST /refunds/{id}/retry": (OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
    "POST /refunds/{id}/release": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
    "POST /refunds/{id}/cancel": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, UNAUTH),
}
# Each route's scene: the payment's gateway and reference, and whether refunds above 5 EUR are held.
SCENES = {
    "POST /refunds/{id}/confirm": ("manual", "pay-1", False),
    "POST /refunds/{id}/retry": ("fake", "pay-1#fail-always", False),
    "POST /refunds/{id}/release": ("fake", "pay-1", True),
    "POST /refunds/{id}/cancel": ("fake", "pay-1#fail-always", False),
}
BODIES: dict[str, dict[str, Any]] = {"POST /refunds/{id}/cancel": {"reason": "The card is closed"}}


@pytest.fixture(autouse=True)
def _fake_on() -> Iterator[None]:
    with override_settings(RETURNDESK_FAKE_GATEWAY={"fail_rate": 0.0, "delay_seconds": 0.0}):
        yield


@pytest.fixture
def scene(
    keys: Keys, make_order: Callable[..., Order], django_capture_on_commit_callbacks: Any
) -> Callable[[str], Refund]:
    """``scene(route)``: a refund of seller A's inspected return, in the state ``route`` acts on."""
    keys.make("carrier_b", role="carrier", carrier="other-post")

    def make(route: str) -> Refund:
        gateway, reference, held = SCENES[route]
        payment = {"method": "card", "gateway": gateway, "reference": reference, "amount": "65.00"}
        order = make_order(payments=[payment])
        if held:
            # In force before the return opens: a return keeps the policy version it opened under.
            PolicyVersion.objects.create(
                seller=Seller.objects.get(external_id="S-A"),
                document=policy_to_json(ReturnPolicy(hold_refunds_above={"EUR": Decimal("5.00")})),
                effective_at=NOW - timedelta(days=30),
                actor_kind="platform",
            )
        ret = return_to(return_opened(order=order), Status.INSPECTED)
        with frozen_clock(AT), django_capture_on_commit_callbacks(execute=True):
            return refund_create(
                actor=keys.actors["seller_a"],
                code=ret.code,
                kind="refund",
                lines=None,
                shipping_amount=None,
                note="",
                request_key="k-1",
            )

    return make


def _post(keys: Keys, caller: str | None, route: str, refund: Refund, **headers: str) -> Any:
    _, path = resolve(route, id=refund.pk)
    return keys.client(caller).post(path, BODIES.get(route, {}), content_type="application/json", headers=headers)


def test_the_matrix_covers_every_transaction_route() -> None:
    actions = ("/confirm", "/retry", "/release", "/cancel")
    assert set(MATRIX) == {op for op in operations_tagged("refunds") if op.endswith(actions)}


@pytest.mark.parametrize(("route", "caller", "expected"), matrix_cases(CALLERS, MATRIX))
def test_permission_matrix(keys: Keys, scene, route: str, caller: str | None, expected: Expected) -> None:
    refund = scene(route)
    before = list(RefundTransaction.objects.values()), ReturnEvent.objects.count()

    got = answer(_post(keys, caller, route, refund))

    assert got == expected
    assert got[0] in declared(route)
    if expected[0] >= 400:
        assert (list(RefundTransaction.objects.values()), ReturnEvent.objects.count()) == before


def test_a_confirm_answers_the_refund_and_a_repeat_replays_it(keys: Keys, scene) -> None:
    refund = scene("POST /refunds/{id}/confirm")
    first = _post(keys, "seller_a", "POST /refunds/{id}/confirm", refund, **{"Idempotency-Key": "c-1"})
    again = _post(keys, "seller_a", "POST /refunds/{id}/confirm", refund, **{"Idempotency-Key": "c-1"})

    body = first.json()
    assert (body["id"], body["status"], body["return"]) == (refund.pk, "succeeded", refund.return_request.code)
    (row,) = body["transactions"]
    assert (row["status"], row["awaiting"], row["failure"]) == ("succeeded", None, None)
    assert row["expected_arrival"]["provisional"] is False
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (200, first.content, "true")
    assert ReturnEvent.objects.filter(action="refund_confirmed").count() == 1
    refused = _post(keys, "seller_a", "POST /refunds/{id}/confirm", refund)
    assert (refused.status_code, refused.json()["code"]) == (409, "refund_not_confirmable")


def test_a_retry_answers_the_transaction_pending_on_its_next_attempt(keys: Keys, scene) -> None:
    refund = scene("POST /refunds/{id}/retry")
    body = _post(keys, "seller_a", "POST /refunds/{id}/retry", refund).json()
    (row,) = body["transactions"]
    assert (body["status"], row["status"], row["attempts"], row["failure"]) == ("pending", "pending", 2, None)
    assert row["expected_arrival"]["provisional"] is True


def test_cancel_needs_a_reason(keys: Keys, scene) -> None:
    refund = scene("POST /refunds/{id}/cancel")
    _, path = resolve("POST /refunds/{id}/cancel", id=refund.pk)
    blank = keys.client("agent").post(path, {"reason": " "}, content_type="application/json")
    assert (blank.status_code, blank.json()["code"]) == (422, "reason_required")


@pytest.mark.parametrize("transaction", ["1", "1.0", True], ids=["text", "decimal text", "boolean"])
def test_a_transaction_is_named_by_a_json_integer(keys: Keys, scene, transaction: object) -> None:
    refund = scene("POST /refunds/{id}/confirm")
    _, path = resolve("POST /refunds/{id}/confirm", id=refund.pk)
    before = list(RefundTransaction.objects.values())

    refused = keys.client("seller_a").post(path, {"transaction": transaction}, content_type="application/json")

    assert (refused.status_code, refused.json()["code"]) == (422, "validation_error")
    assert refused.json()["errors"][0]["loc"] == ["body", "payload", "transaction"]
    assert list(RefundTransaction.objects.values()) == before


def test_the_queue_lists_returns_by_refund_status(keys: Keys, scene) -> None:
    # The failed one first: the held one's policy holds the refunds of returns opened later.
    failed = scene("POST /refunds/{id}/retry").return_request
    held = scene("POST /refunds/{id}/release").return_request

    def codes(caller: str, status: str) -> list[str]:
        response = keys.client(caller).get("/api/v1/returns", {"refund_status": status})
        assert response.status_code == 200
        return [item["code"] for item in response.json()["items"]]

    assert codes("agent", "held") == [held.code]
    assert codes("agent", "failed") == [failed.code]
    assert codes("seller_b", "failed") == []
    assert codes("agent", "none_live") == []
    # The failed one needs someone 3 days after it failed (``refund_attention``).
    with frozen_clock(AT + timedelta(days=3) - timedelta(seconds=1)):
        assert codes("agent", "overdue") == []
        detail = keys.client("agent").get(f"/api/v1/returns/{failed.code}").json()
        assert (detail["refund_overdue"], detail["refund_expected_by"]) == (False, None)
    with frozen_clock(AT + timedelta(days=3)):
        assert sorted(codes("agent", "overdue")) == sorted([failed.code, held.code])
        assert keys.client("agent").get(f"/api/v1/returns/{failed.code}").json()["refund_overdue"] is True
    bad = keys.client("agent").get("/api/v1/returns", {"refund_status": "lost"})
    assert bad.status_code == 422


def test_a_pending_refund_dates_the_return(keys: Keys, scene) -> None:
    refund = scene("POST /refunds/{id}/confirm")
    ret = Return.objects.get(pk=refund.return_request_id)
    detail = keys.client("agent").get(f"/api/v1/returns/{ret.code}").json()
    (transaction,) = detail["refunds"][-1]["transactions"]
    assert transaction["expected_arrival"]["provisional"] is True
    assert detail["refund_expected_by"] == transaction["expected_arrival"]["latest"]


def test_each_body_has_a_schema_of_its_own_in_the_openapi() -> None:
    # One component name per class: the returns' ``CancelIn`` and the refunds' must not collide.
    from returndesk.api import api

    paths = api.get_openapi_schema()["paths"]
    refs = {
        path: paths[f"/api/v1{path}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for path in ("/returns/{code}/cancel", "/refunds/{id}/cancel", "/refunds/{id}/confirm")
    }
    assert refs == {
        "/returns/{code}/cancel": "#/components/schemas/CancelIn",
        "/refunds/{id}/cancel": "#/components/schemas/RefundCancelIn",
        "/refunds/{id}/confirm": "#/components/schemas/RefundConfirmIn",
    }
