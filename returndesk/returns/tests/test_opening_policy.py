"""Opening a return under the seller's policy in force, through ``POST /returns`` and
``POST /returns/preview``: each refusal through both, every refusal listed, auto-approve and each
of its rules, the preferred resolution, and what the return stores (version, paid shares, free,
EU withdrawal). The clock stands at NOW; orders are delivered three days before it (to a buyer in
Madrid, an EU buyer, unless told)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from returndesk.marketplace.models import Order, Seller
from returndesk.policies.domain.policy import AutoApprove, ClockDays, ReturnPolicy, policy_to_json
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.models import PolicyVersion
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return, ReturnEvent, ReturnLine
from returndesk.scenarios.journeys import return_opened
from returndesk.scenarios.payloads import buyer_payload, line_payload
from returndesk.testing import NOW, Keys, frozen_clock, iso

pytestmark = pytest.mark.django_db

# Outside the EU: no right of withdrawal, so the seller's non-returnable lists apply.
US_BUYER = buyer_payload("B-US", country="US", time_zone="America/New_York")


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(NOW):
        yield


def seller_policy(seller: str, **fields: Any) -> int:
    """A version of ``seller``'s own (every other field the default's), in force from now: its number."""
    row = PolicyVersion.objects.create(
        seller=Seller.objects.get(external_id=seller),
        document=policy_to_json(ReturnPolicy(**fields)),
        effective_at=NOW,
        actor_kind="platform",
    )
    return row.version


def written() -> tuple[int, int, int]:
    return Return.objects.count(), ReturnLine.objects.count(), ReturnEvent.objects.count()


def post(client: Client, path: str, order: Order, *lines: dict[str, Any], **body: Any) -> Any:
    return client.post(
        path, {"order": order.external_id, "lines": list(lines), **body}, content_type="application/json"
    )


def line(line_id: str = "L1", quantity: int = 1, reason: str = "defective", **more: Any) -> dict[str, Any]:
    return {"line": line_id, "quantity": quantity, "reason": reason, **more}


# --- Each refusal, through both routes ------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """An order set up to refuse ``request``: the code, the sentence and the answer's members."""

    order: Order
    request: dict[str, Any]
    code: str
    message: str
    members: dict[str, Any]


def _not_delivered(make_order: Callable[..., Order], keys: Keys) -> Refused:
    order = make_order(delivered_at=None)
    return Refused(order, line(), "not_delivered", "Lamp has not been delivered yet.", {})


def _window_closed(make_order: Callable[..., Order], keys: Keys) -> Refused:
    # Delivered 29 January: the 30th day, Saturday 28 February, rolls to Monday 2 March in Spain.
    order = make_order(delivered_at=NOW - timedelta(days=40))
    return Refused(
        order,
        line(),
        "window_closed",
        "Lamp could be returned until 2 March 2026.",
        {"window_closed_at": "2026-03-03T00:00:00+01:00"},
    )


def _final_sale(make_order: Callable[..., Order], keys: Keys) -> Refused:
    order = make_order(lines=[line_payload("L1", title="Desk lamp", final_sale=True)])
    message = "Desk lamp was sold as final sale: returnable only if faulty, wrong or not as described."
    return Refused(order, line(reason="changed_mind"), "final_sale", message, {})


def _non_returnable_category(make_order: Callable[..., Order], keys: Keys) -> Refused:
    order = make_order(buyer=US_BUYER, lines=[line_payload("L1", title="Swim shorts", category="Swimwear")])
    # Categories match in any case.
    seller_policy("S-A", non_returnable_categories=("swimwear",))
    message = "Swimwear is returnable only if faulty, wrong or not as described."
    return Refused(order, line(reason="size_fit"), "non_returnable_category", message, {})


def _non_returnable_sku(make_order: Callable[..., Order], keys: Keys) -> Refused:
    order = make_order(buyer=US_BUYER, lines=[line_payload("L1", sku="GIFT-1", title="Gift box")])
    seller_policy("S-A", non_returnable_skus=("GIFT-1",))
    message = "Gift box is returnable only if faulty, wrong or not as described."
    return Refused(order, line(reason="changed_mind"), "non_returnable_sku", message, {})


def _already_returned(make_order: Callable[..., Order], keys: Keys) -> Refused:
    order = make_order()
    return_opened(order=order, lines=[RequestedLine(line="L1", quantity=2, reason=Reason.DEFECTIVE)])
    message = "Both units are already in a return."
    return Refused(order, line(), "already_returned", message, {"line": "L1", "available": 0})


def _quantity_exceeded(make_order: Callable[..., Order], keys: Keys) -> Refused:
    order = make_order()
    return_opened(order=order, lines=[RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)])
    message = "Only 1 of 2 units can still be returned."
    return Refused(order, line(quantity=2), "quantity_exceeded", message, {"line": "L1", "available": 1})


REFUSALS = {
    "not_delivered": _not_delivered,
    "window_closed": _window_closed,
    "final_sale": _final_sale,
    "non_returnable_category": _non_returnable_category,
    "non_returnable_sku": _non_returnable_sku,
    "already_returned": _already_returned,
    "quantity_exceeded": _quantity_exceeded,
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_each_refusal_answers_422_with_its_sentence_and_writes_nothing(make_order, keys, refusal):
    refused = REFUSALS[refusal](make_order, keys)
    before = written()

    response = post(keys.client("platform"), "/api/v1/returns", refused.order, refused.request)

    body = response.json()
    assert (response.status_code, body["code"], body["detail"]) == (422, refused.code, refused.message)
    assert body["errors"] == [{"loc": ["body", "lines", 0], "line": "L1", "code": refused.code, "msg": refused.message}]
    assert {name: body[name] for name in refused.members} == refused.members
    assert written() == before


@pytest.mark.parametrize("refusal", REFUSALS)
def test_each_refusal_shows_in_the_preview_which_writes_nothing(make_order, keys, refusal):
    refused = REFUSALS[refusal](make_order, keys)
    before = written()

    response = post(keys.client("platform"), "/api/v1/returns/preview", refused.order, refused.request)

    body = response.json()
    assert (response.status_code, body["returnable"], body["auto_approve"]) == (200, False, False)
    assert body["refusals"] == [{"line": "L1", "code": refused.code, "message": refused.message}]
    assert written() == before


def test_a_refusal_lists_every_refused_line_in_body_order_and_each_lines_in_the_tables(make_order, keys):
    order = make_order(
        delivered_at=NOW - timedelta(days=40),
        lines=[line_payload("L1", title="Mug"), line_payload("L2", title="Gift card", final_sale=True)],
    )
    before = written()

    response = post(
        keys.client("platform"), "/api/v1/returns", order, line("L2", reason="other"), line("L1", quantity=2)
    )

    body = response.json()
    closed = "could be returned until 2 March 2026."
    assert (response.status_code, body["code"], body["detail"]) == (422, "window_closed", f"Gift card {closed}")
    assert body["errors"] == [
        {"loc": ["body", "lines", 0], "line": "L2", "code": "window_closed", "msg": f"Gift card {closed}"},
        {
            "loc": ["body", "lines", 0],
            "line": "L2",
            "code": "final_sale",
            "msg": "Gift card was sold as final sale: returnable only if faulty, wrong or not as described.",
        },
        {"loc": ["body", "lines", 1], "line": "L1", "code": "window_closed", "msg": f"Mug {closed}"},
        {
            "loc": ["body", "lines", 1],
            "line": "L1",
            "code": "quantity_exceeded",
            "msg": "Only 1 of 1 unit can still be returned.",
        },
    ]
    assert written() == before


def test_the_non_returnable_lists_never_refuse_an_eu_withdrawal(make_order, keys):
    # The buyer in Madrid, delivered three days ago: within the 14 days of withdrawal.
    order = make_order(lines=[line_payload("L1", title="Swim shorts", category="Swimwear")])
    seller_policy("S-A", non_returnable_categories=("Swimwear",))

    response = post(keys.client("platform"), "/api/v1/returns", order, line(reason="changed_mind"))

    assert (response.status_code, Return.objects.get().eu_withdrawal) == (201, True)


def test_a_preview_of_an_unknown_order_is_404_and_of_a_bad_body_422(keys):
    missing = keys.client("platform").post(
        "/api/v1/returns/preview", {"order": "O-missing", "lines": [line()]}, content_type="application/json"
    )
    bad = keys.client("platform").post(
        "/api/v1/returns/preview", {"order": "O-missing", "lines": []}, content_type="application/json"
    )

    assert [(missing.status_code, missing.json()["code"]), (bad.status_code, bad.json()["code"])] == [
        (404, "order_not_found"),
        (422, "validation_error"),
    ]


# --- The advice --------------------------------------------------------------------------------------


def test_the_preview_advises_what_returning_costs(make_order, keys):
    order = make_order(buyer=US_BUYER, shipping_amount="5.00")
    version = seller_policy(
        "S-A", restocking_fee_percent=Decimal(10), free_window_days=0, return_shipping_fee={"EUR": Decimal("4.99")}
    )

    response = post(keys.client("platform"), "/api/v1/returns/preview", order, line(reason="changed_mind"))

    assert response.status_code == 200
    assert response.json() == {
        "returnable": True,
        "refusals": [],
        "auto_approve": False,
        "advice": {
            "currency": "EUR",
            # One of two units of a line paid 36.00: 18.00; 10 % restocking; the fee, not free.
            "lines": [
                {
                    "line": "L1",
                    "quantity": 1,
                    "paid_share": "18.00",
                    "restocking_fee": "1.80",
                    "return_shipping_fee": "4.99",
                    "refund": "11.21",
                }
            ],
            "shipping_refund": "0.00",
            "return_shipping": {"paid_by": "buyer", "free": False, "fee": "4.99"},
            "refund_total": "11.21",
            "eu_withdrawal": False,
            "suggestion": "ship",
            "message": response.json()["advice"]["message"],
        },
    }
    assert response.json()["advice"]["message"]
    assert (written(), version > 1) == ((0, 0, 0), True)


# --- Auto-approve ------------------------------------------------------------------------------------


def test_an_auto_approved_return_opens_approved_by_the_system(make_order, keys):
    order = make_order()
    # A week to ship under this version (the default's is ten days): ship_by counts by the version.
    version = seller_policy(
        "S-A", auto_approve=AutoApprove(reasons=(Reason.DEFECTIVE,)), clock_days=ClockDays(ship_within=7)
    )

    response = post(keys.client("platform"), "/api/v1/returns", order, line())

    body = response.json()
    assert (response.status_code, body["status"], body["policy_version"]) == (201, "approved", version)
    assert (body["ship_by"], body["next_deadline"]) == (
        iso(NOW + timedelta(days=7)),
        {"at": iso(NOW + timedelta(days=7)), "action": "expire"},
    )
    assert [
        (event["action"], event["actor"], event["from_status"], event["to_status"]) for event in body["timeline"]
    ] == [
        ("request", {"kind": "platform", "id": keys.actors["platform"].id, "on_behalf_of": "B-1"}, None, "requested"),
        ("approve", {"kind": "system", "id": "auto_approve", "on_behalf_of": None}, "requested", "approved"),
    ]
    stored = Return.objects.get()
    assert (stored.status, stored.ship_by, stored.due_action) == (Status.APPROVED, NOW + timedelta(days=7), "expire")


def test_a_return_the_rules_do_not_cover_opens_requested(make_order, keys):
    order = make_order()
    seller_policy("S-A", auto_approve=AutoApprove(reasons=(Reason.DEFECTIVE,)))

    response = post(keys.client("platform"), "/api/v1/returns", order, line(reason="wrong_item"))

    assert (response.status_code, response.json()["status"], len(response.json()["timeline"])) == (201, "requested", 1)


# The order's line L1 is 2 units paid 36.00 (one unit: 18.00), delivered three days ago.
AUTO_APPROVE_RULES = {
    "reason listed": (AutoApprove(reasons=(Reason.DEFECTIVE, Reason.WRONG_ITEM)), True),
    "reason not listed": (AutoApprove(reasons=(Reason.WRONG_ITEM,)), False),
    "no reasons": (AutoApprove(max_line_paid={"EUR": Decimal(100)}), False),
    "paid share at the limit": (AutoApprove(reasons=(Reason.DEFECTIVE,), max_line_paid={"EUR": Decimal(18)}), True),
    "paid share above it": (AutoApprove(reasons=(Reason.DEFECTIVE,), max_line_paid={"EUR": Decimal("17.99")}), False),
    "currency missing": (AutoApprove(reasons=(Reason.DEFECTIVE,), max_line_paid={"GBP": Decimal(100)}), False),
    "days not passed": (AutoApprove(reasons=(Reason.DEFECTIVE,), max_days_since_delivery=3), True),
    "days passed": (AutoApprove(reasons=(Reason.DEFECTIVE,), max_days_since_delivery=2), False),
}


@pytest.mark.parametrize("rule", AUTO_APPROVE_RULES)
def test_each_auto_approve_rule(make_order, keys, rule):
    rules, approved = AUTO_APPROVE_RULES[rule]
    order = make_order()
    seller_policy("S-A", auto_approve=rules)

    response = post(keys.client("platform"), "/api/v1/returns/preview", order, line())

    assert (response.status_code, response.json()["auto_approve"]) == (200, approved)


def test_without_a_return_address_the_seller_decides_even_what_the_rules_approve(make_order, keys):
    order = make_order()
    seller_policy("S-A", auto_approve=AutoApprove(reasons=(Reason.DEFECTIVE,)))
    Seller.objects.filter(external_id="S-A").update(return_address=None)

    response = post(keys.client("platform"), "/api/v1/returns", order, line())

    assert (response.status_code, response.json()["status"]) == (201, "requested")


# --- What opening stores -------------------------------------------------------------------------


def test_a_seller_without_a_version_opens_under_the_default(make_order, keys):
    seller_policy("S-A", non_returnable_categories=("home",), window_days=60)
    order = make_order(seller="S-B", buyer=US_BUYER)

    response = post(keys.client("platform"), "/api/v1/returns", order, line(reason="changed_mind"))

    body = response.json()
    assert (response.status_code, body["policy_version"], body["due_at"]) == (
        201,
        1,
        iso(NOW + timedelta(days=5)),
    )


def test_unit_by_unit_returns_take_paid_shares_that_sum_to_the_line(make_order, keys):
    order = make_order(lines=[line_payload("L1", quantity=3, unit_price="4.00", paid_amount="10.00")])
    client = keys.client("platform")

    shares = [post(client, "/api/v1/returns", order, line()).json()["lines"][0]["paid_share"] for _ in range(3)]

    assert shares == ["3.33", "3.33", "3.34"]
    assert sum(ReturnLine.objects.values_list("paid_share", flat=True)) == Decimal("10.00")


def test_a_return_is_free_while_fewer_earlier_free_returns_hold_units(make_order, keys):
    order = make_order(buyer=US_BUYER)
    client = keys.client("platform")

    first = post(client, "/api/v1/returns", order, line())
    second = post(client, "/api/v1/returns", order, line("L2"))

    assert (first.status_code, second.status_code) == (201, 201)
    assert list(Return.objects.order_by("id").values_list("free_return", "eu_withdrawal")) == [
        (True, False),
        (False, False),
    ]


def test_the_preferred_resolution_and_exchange_variants_are_stored_and_shown(make_order, keys):
    order = make_order()

    response = post(
        keys.client("platform"),
        "/api/v1/returns",
        order,
        line(reason="size_fit", exchange_variant_id="VAR-L"),
        preferred_resolution="exchange",
    )

    body = response.json()
    assert (response.status_code, body["preferred_resolution"]) == (201, "exchange")
    assert [(item["line"], item["exchange_variant_id"]) for item in body["lines"]] == [("L1", "VAR-L")]
    assert list(ReturnLine.objects.values_list("exchange_variant_id", flat=True)) == ["VAR-L"]


def test_a_variant_without_an_exchange_is_a_validation_error(make_order, keys):
    order = make_order()

    response = post(keys.client("platform"), "/api/v1/returns", order, line(exchange_variant_id="VAR-L"))

    assert (response.status_code, response.json()["code"], written()) == (422, "validation_error", (0, 0, 0))


@pytest.mark.parametrize("resolution", ["exchange", "replacement"])
def test_a_policy_without_exchanges_refuses_them(make_order, keys, resolution):
    order = make_order()
    seller_policy("S-A", exchanges=False)
    client = keys.client("platform")

    refused = post(client, "/api/v1/returns", order, line(), preferred_resolution=resolution)
    kept = post(client, "/api/v1/returns", order, line(), preferred_resolution="keep_item")

    assert (refused.status_code, refused.json()["code"]) == (422, "exchange_not_allowed")
    assert (kept.status_code, kept.json()["preferred_resolution"], Return.objects.count()) == (201, "keep_item", 1)
