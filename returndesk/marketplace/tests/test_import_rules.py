"""The order import's newer rules: payments kept by id, returned lines naming the same item,
plausible dates, payments that add up. Every refusal writes nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returndesk.core import money
from returndesk.marketplace.errors import ImplausibleDate, OrderConflict, PaymentsMismatch
from returndesk.marketplace.models import Buyer, Order, OrderLine, Payment, Seller
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.scenarios.journeys import order_placed, return_opened
from returndesk.scenarios.payloads import NOW, default_lines, iso, line_payload, order_payload
from returndesk.testing import frozen_clock

# Locking and constraints: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database

PROBLEM = "application/problem+json"
LATER = NOW + timedelta(hours=1)
FAR_OFF = datetime(2030, 1, 1, tzinfo=UTC)
PLACED = NOW - timedelta(days=10)


def _import(payload: dict[str, Any], *, now: datetime = NOW) -> tuple[Order, bool]:
    return order_import(data=OrderIn.model_validate(payload).to_import(), now=now)


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every marketplace row, field by field: what a refused import must leave untouched."""
    return {
        "sellers": list(Seller.objects.order_by("id").values()),
        "buyers": list(Buyer.objects.order_by("id").values()),
        "orders": list(Order.objects.order_by("id").values()),
        "lines": list(OrderLine.objects.order_by("id").values()),
        "payments": list(Payment.objects.order_by("id").values()),
    }


def _payments(order: Order) -> list[tuple[int, str, str, str, str]]:
    return [
        (p.pk, p.method, p.gateway, p.reference, money.format_amount(p.amount, "EUR"))
        for p in Payment.objects.filter(order=order).order_by("pk")
    ]


# --- Payments are upserted, never deleted ------------------------------------------------------

FIRST_PAYMENTS = [
    {"method": "card", "gateway": "stripe", "reference": "ch_1", "amount": "30.00"},
    {"method": "gift_card", "amount": "20.00"},
    {"method": "gift_card", "amount": "15.00"},
]


def test_a_reimport_keeps_each_payments_id_and_adds_new_ones(db):
    order = order_placed(external_id="O-PAY", payments=FIRST_PAYMENTS)
    before = _payments(order)
    again = [
        {"method": "gift_card", "amount": "10.00"},
        {"method": "paypal", "reference": "pp-9", "amount": "5.00"},
        {"method": "card", "gateway": "adyen", "reference": "ch_1", "amount": "30.00"},
        {"method": "gift_card", "amount": "20.00"},
    ]

    _import(order_payload(external_id="O-PAY", payments=again), now=LATER)

    ids = [pk for pk, *_ in before]
    assert _payments(order)[:3] == [
        (ids[0], "card", "adyen", "ch_1", "30.00"),
        (ids[1], "gift_card", "", "", "10.00"),
        (ids[2], "gift_card", "", "", "20.00"),
    ]
    assert _payments(order)[3][1:] == ("paypal", "", "pp-9", "5.00")
    assert Payment.objects.count() == 4


def test_an_unchanged_reimport_keeps_every_payment_row_as_it_was(db):
    order = order_placed(external_id="O-SAME-PAY", payments=FIRST_PAYMENTS)
    before = _payments(order)

    _import(order_payload(external_id="O-SAME-PAY", payments=FIRST_PAYMENTS), now=LATER)

    assert _payments(order) == before


LEFT_OUT = {
    "a_referenced_payment": (
        [FIRST_PAYMENTS[1], FIRST_PAYMENTS[2], {"method": "card", "reference": "ch_2", "amount": "30.00"}],
        "A re-import cannot leave out the card payment of 30.00 EUR with reference 'ch_1': "
        "payments stay once imported.",
    ),
    "the_second_of_a_methods_unreferenced_payments": (
        [FIRST_PAYMENTS[0], {"method": "gift_card", "amount": "35.00"}],
        "A re-import cannot leave out the gift_card payment of 15.00 EUR with no reference: "
        "payments stay once imported.",
    ),
}


@pytest.mark.parametrize(("payments", "detail"), LEFT_OUT.values(), ids=LEFT_OUT.keys())
def test_a_reimport_that_leaves_out_a_payment_is_refused_and_changes_nothing(db, payments, detail):
    order_placed(external_id="O-LEFT", payments=FIRST_PAYMENTS)
    payload = order_payload(external_id="O-LEFT", number="N-NEW", payments=payments)
    before = _snapshot()

    with pytest.raises(OrderConflict) as refused:
        _import(payload, now=LATER)

    assert (refused.value.status, refused.value.code, refused.value.detail) == (409, "order_conflict", detail)
    assert _snapshot() == before


# --- A line that has returns keeps naming the same item ----------------------------------------


FIXED = {
    "sku": ({"sku": "SKU-9"}, "Line 'L1' has returns; its sku cannot change."),
    "gtin": ({"gtin": "4006381333931"}, "Line 'L1' has returns; its gtin cannot change."),
    "variant_id": ({"variant_id": "V-RED"}, "Line 'L1' has returns; its variant_id cannot change."),
    "title": ({"title": "Floor lamp"}, "Line 'L1' has returns; its title cannot change."),
    "weight_g": ({"weight_g": None}, "Line 'L1' has returns; its weight_g cannot change."),
    "sku_title_and_weight": (
        {"sku": "SKU-9", "title": "Floor lamp", "weight_g": 900},
        "Line 'L1' has returns; its sku, title and weight_g cannot change.",
    ),
}


@pytest.mark.parametrize(("change", "detail"), FIXED.values(), ids=FIXED.keys())
def test_a_returned_line_that_names_another_item_is_refused_and_changes_nothing(db, change, detail):
    return_opened(order=order_placed(external_id="O-ITEM"))
    payload = order_payload(external_id="O-ITEM", number="N-NEW")
    payload["lines"][0] |= change
    before = _snapshot()

    with pytest.raises(OrderConflict) as refused:
        _import(payload, now=LATER)

    assert (refused.value.status, refused.value.code, refused.value.detail) == (409, "order_conflict", detail)
    assert _snapshot() == before


def test_a_line_without_returns_may_name_another_item(db):
    order = order_placed(external_id="O-FREE-ITEM")
    return_opened(order=order)
    payload = order_payload(external_id="O-FREE-ITEM")
    payload["lines"][1] |= {
        "sku": "SKU-9",
        "gtin": "4006381333931",
        "variant_id": "V-9",
        "title": "Cord",
        "weight_g": 1,
    }

    _import(payload, now=LATER)

    assert OrderLine.objects.filter(order=order, external_id="L2").values_list(
        "sku", "gtin", "variant_id", "title", "weight_g"
    ).get() == ("SKU-9", "4006381333931", "V-9", "Cord", 1)


def test_the_older_conflicts_answer_before_the_new_checks(db):
    return_opened(order=order_placed(external_id="O-FIRST"))
    payload = order_payload(
        external_id="O-FIRST", delivered_at=FAR_OFF, placed_at=PLACED, payments=[{"method": "paypal", "amount": "1"}]
    )
    payload["lines"][0] |= {"sku": "SKU-9", "unit_price": "19.00"}

    with pytest.raises(OrderConflict) as refused:
        _import(payload, now=LATER)

    assert refused.value.detail == "Line 'L1' has returns; its price cannot change."


def test_conflicts_answer_before_dates_and_payment_totals(db):
    return_opened(order=order_placed(external_id="O-SECOND"))
    payload = order_payload(
        external_id="O-SECOND", delivered_at=FAR_OFF, placed_at=PLACED, payments=[{"method": "card", "amount": "1"}]
    )
    payload["lines"][0] |= {"sku": "SKU-9"}

    with pytest.raises(OrderConflict) as refused:
        _import(payload, now=LATER)

    assert refused.value.detail == "Line 'L1' has returns; its sku cannot change."


# --- Dates a real order has --------------------------------------------------------------------


def _delivered_line(at: datetime) -> dict[str, Any]:
    return line_payload("L3", delivered_at=iso(at))


IMPLAUSIBLE = {
    "delivered_in_2030": (
        {"delivered_at": FAR_OFF, "placed_at": PLACED},
        [(["delivered_at"], "The order's delivered_at, 2030-01-01T00:00:00Z, is in the future.")],
    ),
    "placed_in_2030": (
        {"delivered_at": None, "placed_at": FAR_OFF},
        [(["placed_at"], "The order's placed_at, 2030-01-01T00:00:00Z, is in the future.")],
    ),
    "delivered_before_placed": (
        {"delivered_at": PLACED - timedelta(days=1), "placed_at": PLACED},
        [
            (
                ["delivered_at"],
                "The order's delivered_at, 2026-02-27T12:00:00Z, is before its placed_at, 2026-02-28T12:00:00Z.",
            )
        ],
    ),
    "line_delivered_in_2030": (
        {"placed_at": PLACED, "lines": [*default_lines(), _delivered_line(FAR_OFF)]},
        [(["lines", 2, "delivered_at"], "The delivered_at of line 'L3', 2030-01-01T00:00:00Z, is in the future.")],
    ),
    "line_delivered_before_placed": (
        {"placed_at": PLACED, "lines": [*default_lines(), _delivered_line(PLACED - timedelta(hours=1))]},
        [
            (
                ["lines", 2, "delivered_at"],
                "The delivered_at of line 'L3', 2026-02-28T11:00:00Z, is before the order's placed_at, "
                "2026-02-28T12:00:00Z.",
            )
        ],
    ),
    "past_the_clock_skew": (
        {"delivered_at": NOW + timedelta(minutes=5, seconds=1), "placed_at": PLACED},
        [(["delivered_at"], "The order's delivered_at, 2026-03-10T12:05:01Z, is in the future.")],
    ),
    "placed_and_delivered_in_2030": (
        {"delivered_at": FAR_OFF + timedelta(days=1), "placed_at": FAR_OFF},
        [
            (["placed_at"], "The order's placed_at, 2030-01-01T00:00:00Z, is in the future."),
            (["delivered_at"], "The order's delivered_at, 2030-01-02T00:00:00Z, is in the future."),
        ],
    ),
}


@pytest.mark.parametrize(("dates", "problems"), IMPLAUSIBLE.values(), ids=IMPLAUSIBLE.keys())
def test_implausible_dates_are_refused_naming_each_field_and_nothing_is_written(db, dates, problems):
    payload = order_payload(external_id="O-WHEN", seller="S-WHEN", buyer="B-WHEN", **dates)
    before = _snapshot()

    with pytest.raises(ImplausibleDate) as refused:
        _import(payload)

    assert (refused.value.status, refused.value.code) == (422, "implausible_date")
    assert refused.value.detail == " ".join(sentence for _, sentence in problems)
    assert refused.value.errors == [
        {"loc": ["body", "payload", *field], "msg": sentence, "type": "implausible_date"}
        for field, sentence in problems
    ]
    assert _snapshot() == before


def test_dates_within_five_minutes_of_clock_skew_are_accepted(db):
    skewed = NOW + timedelta(minutes=5)
    payload = order_payload(external_id="O-SKEW", delivered_at=skewed, placed_at=skewed)
    payload["lines"][0]["delivered_at"] = iso(skewed)

    order, created = _import(payload)

    assert (created, Order.objects.get(pk=order.pk).delivered_at) == (True, skewed)


def test_a_delivery_on_the_day_the_order_was_placed_is_plausible(db):
    order, created = _import(order_payload(external_id="O-SAME-DAY", delivered_at=PLACED, placed_at=PLACED))

    assert (created, Order.objects.get(pk=order.pk).placed_at) == (True, PLACED)


def test_a_reimport_may_not_place_the_order_after_the_delivery_it_keeps(db):
    order_placed(external_id="O-KEPT", delivered_at=NOW - timedelta(days=3))
    payload = order_payload(external_id="O-KEPT", delivered_at=None, placed_at=NOW - timedelta(days=1))
    before = _snapshot()

    with pytest.raises(ImplausibleDate) as refused:
        _import(payload, now=LATER)

    assert refused.value.detail == (
        "The order's placed_at, 2026-03-09T12:00:00Z, is after its delivery on 2026-03-07T12:00:00Z, "
        "which an earlier import recorded."
    )
    assert refused.value.errors == [
        {"loc": ["body", "payload", "placed_at"], "msg": refused.value.detail, "type": "implausible_date"}
    ]
    assert _snapshot() == before


# --- Payments add up ---------------------------------------------------------------------------

LAMP = [line_payload("L1", unit_price="79.90")]


def test_payments_that_do_not_add_up_are_refused_and_nothing_is_written(db):
    payload = order_payload(
        external_id="O-SHORT",
        seller="S-SHORT",
        lines=LAMP,
        shipping_amount="4.99",
        payments=[{"method": "card", "amount": "1.00"}],
    )
    before = _snapshot()

    with pytest.raises(PaymentsMismatch) as refused:
        _import(payload)

    assert (refused.value.status, refused.value.code, refused.value.detail, refused.value.extra) == (
        422,
        "payments_mismatch",
        "The payments add up to 1.00 EUR, but the lines' paid amounts and the shipping come to 84.89 EUR.",
        {"expected": "84.89", "paid": "1.00"},
    )
    assert _snapshot() == before


def test_a_reimport_whose_payments_no_longer_add_up_is_refused(db):
    order_placed(external_id="O-SHORT-AGAIN", lines=LAMP, shipping_amount="4.99")
    payload = order_payload(external_id="O-SHORT-AGAIN", lines=LAMP, shipping_amount="9.99")
    payload["payments"] = [{"method": "card", "amount": "84.89"}]
    before = _snapshot()

    with pytest.raises(PaymentsMismatch) as refused:
        _import(payload, now=LATER)

    assert refused.value.extra == {"expected": "89.89", "paid": "84.89"}
    assert _snapshot() == before


# --- The API -----------------------------------------------------------------------------------


def _post(keys, payload: dict[str, Any]):
    with frozen_clock(NOW):
        return keys.client("platform").post("/api/v1/orders", payload, content_type="application/json")


def test_api_a_future_delivery_answers_422_implausible_date(keys):
    payload = order_payload(external_id="O-API-WHEN", seller="S-API", delivered_at=FAR_OFF, placed_at=PLACED)

    response = _post(keys, payload)

    detail = "The order's delivered_at, 2030-01-01T00:00:00Z, is in the future."
    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:implausible_date",
        "title": "A date in the order cannot be right",
        "status": 422,
        "detail": detail,
        "code": "implausible_date",
        "errors": [{"loc": ["body", "payload", "delivered_at"], "msg": detail, "type": "implausible_date"}],
    }
    assert (Order.objects.count(), Seller.objects.filter(external_id="S-API").count()) == (0, 0)


def test_api_payments_short_of_the_total_answer_422_payments_mismatch(keys):
    payload = order_payload(
        external_id="O-API-PAY",
        seller="S-API",
        currency="KWD",
        lines=[line_payload("L1", unit_price="79.9")],
        shipping_amount="4.99",
        payments=[{"method": "card", "amount": "1"}],
    )

    response = _post(keys, payload)

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:payments_mismatch",
        "title": "The payments do not add up to the order's total",
        "status": 422,
        "detail": "The payments add up to 1.000 KWD, but the lines' paid amounts and the shipping come to 84.890 KWD.",
        "code": "payments_mismatch",
        "expected": "84.890",
        "paid": "1.000",
    }
    assert (Order.objects.count(), Seller.objects.filter(external_id="S-API").count()) == (0, 0)


def test_api_a_returned_line_with_another_sku_answers_409(keys):
    return_opened(order=order_placed(external_id="O-API-SKU"))
    payload = order_payload(external_id="O-API-SKU")
    payload["lines"][0]["sku"] = "SKU-9"
    before = _snapshot()

    response = _post(keys, payload)

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:order_conflict",
        "title": "The re-imported order contradicts what its returns rely on",
        "status": 409,
        "detail": "Line 'L1' has returns; its sku cannot change.",
        "code": "order_conflict",
    }
    assert _snapshot() == before


def test_api_a_reimport_leaving_out_a_payment_answers_409(keys):
    order_placed(external_id="O-API-LEFT", payments=FIRST_PAYMENTS)
    before = _snapshot()

    response = _post(keys, order_payload(external_id="O-API-LEFT"))

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:order_conflict",
        "title": "The re-imported order contradicts what its returns rely on",
        "status": 409,
        "detail": "A re-import cannot leave out the card payment of 30.00 EUR with reference 'ch_1': "
        "payments stay once imported.",
        "code": "order_conflict",
    }
    assert _snapshot() == before


# --- Lock order --------------------------------------------------------------------------------


def test_a_reimport_locks_the_order_then_its_seller_then_its_buyer(db):
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks: its write transactions queue whole (BEGIN IMMEDIATE)")
    order_placed(external_id="O-LOCKS")

    with CaptureQueriesContext(connection) as queries:
        _import(order_payload(external_id="O-LOCKS"), now=LATER)

    locked = [
        re.search(r'FROM "(\w+)"', query["sql"]).group(1) for query in queries if "FOR NO KEY UPDATE" in query["sql"]
    ]
    assert locked == ["marketplace_order", "marketplace_seller", "marketplace_buyer"]
