"""The verifier, GET /api/v1/codes/{code}: what a counter learns from a typed or scanned code.

First match wins: malformed, typo (with suggestions), unknown, wrong item, then the status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from returndesk.returns import services
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.verification import RefusalReason, Result
from returndesk.returns.models import Return
from returndesk.returns.selectors import CodeFacts
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, Keys, iso

MALFORMED = "This is not a return code: a code has 13 letters and digits, like K7Q2-XM4D-9T30-6."
TYPO = "This code was mistyped: a letter or digit is wrong or two are swapped."
UNKNOWN = "No return has this code."
WRONG_ITEM = "This code belongs to another item or order."
EXPIRED = "The time to ship this return has passed; the code is no longer accepted."
CANCELLED = "This return was cancelled; the code is no longer accepted."
USED = "This code has already been used for a parcel."
VALID = "The parcel may be accepted."
NOTHING = {
    "reason": None,
    "code": None,
    "code_display": None,
    "status": None,
    "suggestions": None,
    "suggestions_display": None,
    "details": None,
}

# A mistyped code and the valid codes one substitution away from it that the tests create.
TYPED = "K7Q2XM4D9T300"
NEIGHBOUR_A1, NEIGHBOUR_A2, NEIGHBOUR_B = "K7Q2XM4D9T306", "K7Q2XM4D9T330", "K742XM4D9T300"


def verify(keys: Keys, key: str, typed: str, **query: str) -> Any:
    response = keys.client(key).get(f"/api/v1/codes/{quote(typed, safe='')}", query)
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    return response.json()


def found(ret: Return, status: str, *, order: str | None, ship_by: datetime | None = None) -> dict[str, Any]:
    """The part of an answer that describes a return the caller may see."""
    return {
        "code": ret.code,
        "code_display": ret.code_display,
        "status": status,
        "suggestions": None,
        "suggestions_display": None,
        "details": {
            "ship_by": iso(ship_by) if ship_by else None,
            "seller": {"name": "Seller S-A", "city": "City of S-A"},
            "items": 1,
            "weight_g": 500,
            "order": order,
        },
    }


@pytest.fixture
def return_with_code(make_order, make_return, monkeypatch) -> Callable[..., Return]:
    """A requested return of one Lamp whose code is the one given."""

    def make(code: str, *, seller: str = "S-A") -> Return:
        monkeypatch.setattr(codes, "generate", lambda: code)
        return make_return(order=make_order(seller=seller))

    return make


@pytest.fixture
def approved_now(make_return, keys) -> Return:
    """A return approved at the wall clock's now, so that the API (which uses it) finds it valid."""
    return return_to(make_return(), Status.APPROVED, now=timezone.now())


# --- 1. malformed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "K7Q2XM4D9T30",
        "K7Q2XM4D9T3066",
        "K7Q2-XM4D-9T30",
        "K7Q2XM4D9T3U6",
        "K7Q2XM4D9T3*6",
        "K7Q2XM4D9T3É6",
        "RMA-1234",
    ],
    ids=["12-symbols", "14-symbols", "display-of-12", "letter-U", "star", "accent", "other-scheme"],
)
def test_input_that_is_not_a_code_is_malformed(keys, typed):
    assert verify(keys, "carrier", typed) == {"result": "malformed", "message": MALFORMED, **NOTHING}


# --- 2. typo -----------------------------------------------------------------------------------


@pytest.fixture
def neighbours(return_with_code) -> list[Return]:
    """Seller S-A holds two codes one substitution from TYPED; seller S-B holds a third."""
    return [return_with_code(NEIGHBOUR_A1), return_with_code(NEIGHBOUR_A2), return_with_code(NEIGHBOUR_B, seller="S-B")]


@pytest.mark.parametrize(
    ("key", "suggestions"),
    [
        ("platform", [NEIGHBOUR_B, NEIGHBOUR_A1, NEIGHBOUR_A2]),
        ("agent", [NEIGHBOUR_B, NEIGHBOUR_A1, NEIGHBOUR_A2]),
        ("carrier", [NEIGHBOUR_B, NEIGHBOUR_A1, NEIGHBOUR_A2]),
        ("seller_a", [NEIGHBOUR_A1, NEIGHBOUR_A2]),
        ("seller_b", [NEIGHBOUR_B]),
    ],
)
def test_a_mistyped_code_suggests_the_visible_codes_one_substitution_away(neighbours, keys, key, suggestions):
    assert verify(keys, key, TYPED) == {
        "result": "typo",
        "message": TYPO,
        **NOTHING,
        "suggestions": suggestions,
        "suggestions_display": [codes.display(code) for code in suggestions],
    }


def test_a_swap_of_two_adjacent_symbols_suggests_the_code(neighbours, keys):
    body = verify(keys, "seller_a", "7KQ2-XM4D-9T30-6")

    assert (body["result"], body["suggestions"], body["suggestions_display"]) == (
        "typo",
        [NEIGHBOUR_A1],
        ["K7Q2-XM4D-9T30-6"],
    )


def test_a_mistyped_code_with_no_existing_neighbour_suggests_nothing(neighbours, keys):
    body = verify(keys, "platform", "RD00000000010")

    assert (body["result"], body["suggestions"], body["suggestions_display"]) == ("typo", [], [])


# --- 3. unknown --------------------------------------------------------------------------------


def test_a_well_formed_code_of_no_return_is_unknown(make_return, keys):
    make_return()

    assert verify(keys, "platform", "RD0000000001M") == {"result": "unknown", "message": UNKNOWN, **NOTHING}


def test_another_sellers_code_is_unknown_to_a_seller(make_return, keys):
    ret = make_return()

    hidden = verify(keys, "seller_b", ret.code)
    missing = verify(keys, "seller_b", "RD0000000001M")

    assert hidden == missing == {"result": "unknown", "message": UNKNOWN, **NOTHING}


# --- 4. wrong item -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"order": "O-elsewhere"},
        {"sku": "SKU-2"},
        {"order": "O-elsewhere", "sku": "SKU-1"},
    ],
    ids=["order", "sku", "order-with-the-right-sku"],
)
def test_a_code_for_another_item_or_order_is_wrong_item(approved_now, keys, query):
    assert verify(keys, "seller_a", approved_now.code, **query) == {
        "result": "wrong_item",
        "message": WRONG_ITEM,
        "reason": None,
        **found(approved_now, "approved", order=approved_now.order.external_id, ship_by=approved_now.ship_by),
    }


def test_the_right_order_and_sku_go_on_to_the_status(approved_now, keys):
    body = verify(keys, "seller_a", approved_now.code, order=approved_now.order.external_id, sku="SKU-1")

    assert body["result"] == "valid"


def test_a_typo_is_reported_before_the_item_is_compared(neighbours, keys):
    assert verify(keys, "platform", TYPED, sku="SKU-2")["result"] == "typo"


# --- 5. by status ------------------------------------------------------------------------------


def test_an_approved_code_within_ship_by_is_valid(approved_now, keys):
    assert verify(keys, "seller_a", approved_now.code) == {
        "result": "valid",
        "message": VALID,
        "reason": None,
        **found(approved_now, "approved", order=approved_now.order.external_id, ship_by=approved_now.ship_by),
    }


def test_an_approved_code_past_ship_by_is_expired_before_the_sweep_runs(make_return, keys):
    ret = return_to(make_return(), Status.APPROVED, now=NOW)

    body = verify(keys, "platform", ret.code)

    assert (body["result"], body["message"], body["status"], body["details"]["ship_by"]) == (
        "expired",
        EXPIRED,
        "approved",
        iso(NOW + timedelta(days=10)),
    )


def test_the_service_compares_with_ship_by_at_the_given_now(make_return, keys):
    ret = return_to(make_return(), Status.APPROVED, now=NOW)
    ship_by = NOW + timedelta(days=10)

    at_ship_by = services.code_check(actor=keys.actors["carrier"], raw_code=ret.code, now=ship_by)
    after = services.code_check(
        actor=keys.actors["carrier"], raw_code=ret.code, now=ship_by + timedelta(microseconds=1)
    )

    assert (at_ship_by.verdict.result, after.verdict.result) == (Result.VALID, Result.EXPIRED)


@pytest.mark.parametrize(
    ("scene", "status", "answer"),
    [
        (Status.CANCELLED, "cancelled", ("cancelled", None, CANCELLED)),
        (Status.RECEIVED, "received", ("used", None, USED)),
        (Status.EXPIRED, "expired", ("expired", None, EXPIRED)),
        (
            Status.REQUESTED,
            "requested",
            ("not_acceptable", "awaiting_approval", "The seller has not approved this return yet."),
        ),
        (Status.REJECTED, "rejected", ("not_acceptable", "rejected", "The seller rejected this return.")),
        (Status.CLOSED, "closed", ("not_acceptable", "closed", "This return is closed.")),
        (
            Status.REFUNDING,
            "refunding",
            ("not_acceptable", "no_parcel_expected", "No parcel is expected: this return is refunded without one."),
        ),
        (
            Status.DISPUTED,
            "disputed",
            ("not_acceptable", "disputed", "This return is with customer service; no parcel is expected now."),
        ),
    ],
    ids=["cancelled", "used", "expired", "awaiting_approval", "rejected", "closed", "no_parcel_expected", "disputed"],
)
def test_the_answer_by_status(make_return, keys, scene, status, answer):
    result, reason, message = answer
    ret = return_to(make_return(), scene)
    ret.refresh_from_db()

    assert verify(keys, "seller_a", ret.code) == {
        "result": result,
        "message": message,
        "reason": reason,
        **found(ret, status, order=ret.order.external_id, ship_by=ret.ship_by),
    }


def test_the_service_returns_the_verdict_and_what_the_verifier_may_tell(make_return, keys):
    ret = make_return(quantity=2)

    verification = services.code_check(actor=keys.actors["agent"], raw_code=ret.code, now=NOW)

    assert (
        verification.verdict.result,
        verification.verdict.reason,
        verification.suggestions,
        verification.failed,
    ) == (Result.NOT_ACCEPTABLE, RefusalReason.AWAITING_APPROVAL, [], False)
    assert verification.facts == CodeFacts(
        code=ret.code,
        status=Status.REQUESTED,
        parcel_recorded=False,
        ship_by=None,
        order=ret.order.external_id,
        seller_name="Seller S-A",
        seller_city="City of S-A",
        skus=frozenset({"SKU-1"}),
        items=2,
        weight_g=1000,
    )


# --- What the carrier learns -------------------------------------------------------------------


def test_the_carrier_learns_the_status_and_the_seller_never_the_buyer_or_the_order(approved_now, keys):
    response = keys.client("carrier").get(f"/api/v1/codes/{approved_now.code}")

    assert response.json() == {
        "result": "valid",
        "message": VALID,
        "reason": None,
        **found(approved_now, "approved", order=None, ship_by=approved_now.ship_by),
    }
    assert [
        secret in response.content.decode()
        for secret in (
            "B-1",
            "Buyer B-1",
            "b-1@example.com",
            approved_now.order.external_id,
            approved_now.order.number,
        )
    ] == [False] * 5


@pytest.mark.parametrize("key", ["platform", "agent", "seller_a", "carrier"])
def test_any_key_may_verify(approved_now, keys, key):
    assert verify(keys, key, approved_now.code)["result"] == "valid"


def test_no_key_may_not(approved_now, keys):
    response = keys.client(None).get(f"/api/v1/codes/{approved_now.code}")

    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


# --- Input normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "10K7Q2XM4D9T7",
        "10k7q2xm4d9t7",
        "10K7-Q2XM-4D9T-7",
        "10K7 Q2XM 4D9T 7",
        " 10k7-q2xm-4d9t-7 ",
        "IOK7Q2XM4D9T7",
        "lOK7Q2XM4D9T7",
        "Lo-K7Q2-XM4D9T7",
        "10K7Q2XM4D9T7\n",
        "10K7-Q2XM-4D9T-7\r\n",
        "10K7\u2013Q2XM\u20134D9T\u20137",
        "10K7\u00a0Q2XM\u00a04D9T\u00a07",
    ],
    ids=[
        "canonical",
        "lower",
        "hyphens",
        "spaces",
        "padded",
        "I-and-O",
        "l-and-O",
        "L-and-o",
        "newline",
        "crlf",
        "en-dashes",
        "no-break-spaces",
    ],
)
def test_typed_input_is_normalised(make_return, keys, monkeypatch, typed):
    monkeypatch.setattr(codes, "generate", lambda: "10K7Q2XM4D9T7")
    return_to(make_return(), Status.APPROVED, now=timezone.now())

    body = verify(keys, "carrier", typed)

    assert (body["result"], body["code"], body["code_display"]) == ("valid", "10K7Q2XM4D9T7", "10K7-Q2XM-4D9T-7")
