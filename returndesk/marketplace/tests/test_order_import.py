"""Importing orders from the marketplace: ``order_import`` and ``POST/GET /api/v1/orders``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.test import RequestFactory

from returndesk.marketplace.errors import OrderConflict
from returndesk.marketplace.models import Buyer, Order, OrderLine, Payment, Seller
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.returns.models import Return
from returndesk.scenarios.payloads import default_lines, order_payload
from returndesk.testing import NOW

# Constraints, locking, raw SQL and query plans: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database

PROBLEM = "application/problem+json"
LATER = NOW + timedelta(hours=1)


def _import(payload: dict[str, Any], *, now=NOW) -> tuple[Order, bool]:
    return order_import(data=OrderIn.model_validate(payload).to_import(), now=now)


def _line(
    external_id: str, *, quantity: int = 1, unit_price: str = "10.00", paid_amount: str = "10.00", **extra: Any
) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "sku": f"SKU-{external_id}",
        "title": f"Item {external_id}",
        "quantity": quantity,
        "unit_price": unit_price,
        "paid_amount": paid_amount,
        "category": "home",
        **extra,
    }


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every marketplace row, field by field: what a refused import must leave untouched."""
    return {
        "sellers": list(Seller.objects.order_by("id").values()),
        "buyers": list(Buyer.objects.order_by("id").values()),
        "orders": list(Order.objects.order_by("id").values()),
        "lines": list(OrderLine.objects.order_by("id").values()),
        "payments": list(Payment.objects.order_by("id").values()),
    }


def _lines_of(order: Order) -> list[tuple[str, int, Decimal, Decimal]]:
    return list(
        OrderLine.objects.filter(order=order)
        .order_by("external_id")
        .values_list("external_id", "quantity", "unit_price", "paid_amount")
    )


# --- The service -------------------------------------------------------------------------------


def test_import_creates_the_order_its_lines_payments_seller_and_buyer(db):
    payload = order_payload(external_id="O-NEW", seller="S-NEW", buyer="B-NEW")

    order, created = _import(payload)

    assert created is True
    assert Order.objects.filter(pk=order.pk).values(
        "external_id",
        "currency",
        "shipping_amount",
        "seller__external_id",
        "buyer__external_id",
        "placed_at",
        "delivered_at",
        "created_at",
        "updated_at",
    ).get() == {
        "external_id": "O-NEW",
        "currency": "EUR",
        "shipping_amount": Decimal("5.0000"),
        "seller__external_id": "S-NEW",
        "buyer__external_id": "B-NEW",
        "placed_at": NOW - timedelta(days=10),
        "delivered_at": NOW - timedelta(days=3),
        "created_at": NOW,
        "updated_at": NOW,
    }
    assert _lines_of(order) == [
        ("L1", 2, Decimal("20.0000"), Decimal("36.0000")),
        ("L2", 1, Decimal("24.0000"), Decimal("24.0000")),
    ]
    assert list(order.payments.values_list("method", "amount")) == [("card", Decimal("65.0000"))]


def test_amounts_are_stored_exactly(db):
    order, _ = _import(
        order_payload(
            currency="KWD",
            shipping_amount="0.125",
            payments=[{"method": "card", "amount": "1.375"}],
            lines=[_line("L1", unit_price="1.250", paid_amount="1.250")],
        )
    )

    assert _lines_of(order) == [("L1", 1, Decimal("1.2500"), Decimal("1.2500"))]
    assert Order.objects.get(pk=order.pk).shipping_amount == Decimal("0.1250")


def test_currency_codes_are_read_in_any_case(db):
    order, _ = _import(order_payload(currency="kwd"))

    assert Order.objects.get(pk=order.pk).currency == "KWD"


def test_reimport_is_not_new_and_updates_the_same_order(make_order):
    order = make_order(external_id="O-RE")
    payload = order_payload(external_id="O-RE", number="N-CHANGED", shipping_amount="7.50")

    reimported, created = _import(payload, now=LATER)

    assert (created, reimported.pk) == (False, order.pk)
    assert Order.objects.filter(pk=order.pk).values_list(
        "number", "shipping_amount", "created_at", "updated_at"
    ).get() == ("N-CHANGED", Decimal("7.5000"), NOW, LATER)
    assert Order.objects.count() == 1


def test_reimport_adds_lines_and_sets_delivery_dates(make_order):
    order = make_order(external_id="O-LATE", delivered_at=None)
    payload = order_payload(
        external_id="O-LATE",
        delivered_at=NOW - timedelta(days=1),
        lines=[*default_lines(), _line("L3", delivered_at=(NOW - timedelta(hours=5)).isoformat())],
    )

    _import(payload, now=LATER)

    assert Order.objects.get(pk=order.pk).delivered_at == NOW - timedelta(days=1)
    assert list(
        OrderLine.objects.filter(order=order).order_by("external_id").values_list("external_id", "delivered_at")
    ) == [("L1", None), ("L2", None), ("L3", NOW - timedelta(hours=5))]


def test_reimport_without_a_delivery_date_keeps_the_known_one(make_order):
    order = make_order(external_id="O-KEEP")

    _import(order_payload(external_id="O-KEEP", delivered_at=None), now=LATER)

    assert Order.objects.get(pk=order.pk).delivered_at == NOW - timedelta(days=3)


def test_reimport_may_change_and_drop_lines_without_returns(make_return, make_order):
    order = make_order(external_id="O-FREE")
    make_return(order=order, line="L1")
    changed = order_payload(
        external_id="O-FREE",
        lines=[default_lines()[0], _line("L2", quantity=5, unit_price="3.00", paid_amount="15.00")],
    )

    _import(changed, now=LATER)
    changed_lines = _lines_of(order)
    dropped = order_payload(external_id="O-FREE", lines=[changed["lines"][0]])
    _import(dropped, now=LATER)

    assert changed_lines == [
        ("L1", 2, Decimal("20.0000"), Decimal("36.0000")),
        ("L2", 5, Decimal("3.0000"), Decimal("15.0000")),
    ]
    assert _lines_of(order) == [("L1", 2, Decimal("20.0000"), Decimal("36.0000"))]


def test_reimport_may_grow_a_returned_line(make_return, make_order):
    order = make_order(external_id="O-GROW")
    make_return(order=order, line="L1")
    payload = order_payload(external_id="O-GROW")
    payload["lines"][0]["quantity"] = 3

    _import(payload, now=LATER)

    assert _lines_of(order)[0] == ("L1", 3, Decimal("20.0000"), Decimal("36.0000"))


def _drop_l1(payload: dict[str, Any]) -> None:
    payload["lines"] = payload["lines"][1:]


def _shrink_l1(payload: dict[str, Any]) -> None:
    payload["lines"][0]["quantity"] = 1


def _reprice_l1(payload: dict[str, Any]) -> None:
    payload["lines"][0]["unit_price"] = "19.00"


def _repay_l1(payload: dict[str, Any]) -> None:
    payload["lines"][0]["paid_amount"] = "35.00"


def _change_currency(payload: dict[str, Any]) -> None:
    payload["currency"] = "USD"


def _move_to_another_seller(payload: dict[str, Any]) -> None:
    payload["seller"] = {**payload["seller"], "external_id": "S-OTHER"}


def _move_to_another_buyer(payload: dict[str, Any]) -> None:
    payload["buyer"] = {**payload["buyer"], "external_id": "B-OTHER"}


CONFLICTS = [
    pytest.param(_drop_l1, "Line 'L1' has returns and cannot be dropped.", id="drop_returned_line"),
    pytest.param(_shrink_l1, "Line 'L1' has returns and cannot shrink from 2 to 1.", id="shrink_returned_line"),
    pytest.param(_reprice_l1, "Line 'L1' has returns; its price cannot change.", id="change_unit_price"),
    pytest.param(_repay_l1, "Line 'L1' has returns; its price cannot change.", id="change_paid_amount"),
    pytest.param(_change_currency, "The order is in EUR; a re-import cannot change it to USD.", id="change_currency"),
    pytest.param(
        _move_to_another_seller, "A re-import cannot move the order to another seller or buyer.", id="change_seller"
    ),
    pytest.param(
        _move_to_another_buyer, "A re-import cannot move the order to another seller or buyer.", id="change_buyer"
    ),
]


@pytest.mark.parametrize(("conflict", "detail"), CONFLICTS)
def test_conflicting_reimport_is_refused_and_changes_nothing(make_return, make_order, conflict, detail):
    order = make_order(external_id="O-HELD")
    make_return(order=order, line="L1")
    payload = order_payload(external_id="O-HELD", number="N-NEW", shipping_amount="9.00")
    # Beside the conflict, the payload changes what a successful re-import would change.
    payload["seller"]["name"] = "Renamed seller"
    payload["buyer"]["name"] = "Renamed buyer"
    payload["payments"] = [{"method": "paypal", "amount": "1.00"}]
    payload["lines"].append(_line("L3"))
    conflict(payload)
    before = _snapshot()

    with pytest.raises(OrderConflict) as refused:
        _import(payload, now=LATER)

    assert (refused.value.status, refused.value.code, refused.value.detail) == (409, "order_conflict", detail)
    assert _snapshot() == before


def test_reimport_may_write_a_returned_lines_price_differently(make_return, make_order):
    order = make_order(external_id="O-SAME")
    make_return(order=order, line="L1")
    payload = order_payload(external_id="O-SAME")
    payload["lines"][0] |= {"unit_price": "20", "paid_amount": 36}

    reimported, created = _import(payload, now=LATER)

    assert (created, _lines_of(reimported)[0]) == (False, ("L1", 2, Decimal("20.0000"), Decimal("36.0000")))


def test_sellers_and_buyers_are_matched_by_external_id(db):
    first, _ = _import(order_payload(seller="S-M", buyer="B-M"))
    second, _ = _import(order_payload(seller="S-M", buyer="B-M"))
    renamed = order_payload(seller="S-M", buyer="B-OTHER")
    renamed["seller"]["name"] = "New name"
    third, _ = _import(renamed)

    assert list(Seller.objects.values_list("external_id", "name")) == [("S-M", "New name")]
    assert list(Buyer.objects.order_by("external_id").values_list("external_id", flat=True)) == ["B-M", "B-OTHER"]
    assert {first.seller_id, second.seller_id, third.seller_id} == {Seller.objects.get().pk}
    assert (first.buyer_id, third.buyer_id) == (second.buyer_id, Buyer.objects.get(external_id="B-OTHER").pk)


@pytest.mark.parametrize("model", [OrderLine, Order, Seller, Buyer])
def test_rows_a_return_points_at_cannot_be_deleted(make_return, model):
    ret = make_return()
    row = {OrderLine: ret.lines.get().order_line, Order: ret.order, Seller: ret.seller, Buyer: ret.buyer}[model]

    with pytest.raises(ProtectedError):
        row.delete()

    assert model.objects.filter(pk=row.pk).count() == 1
    assert Return.objects.filter(pk=ret.pk).count() == 1


@pytest.mark.parametrize("model", [Seller, Buyer, Order])
def test_the_admin_never_deletes_marketplace_rows(db, model):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")

    assert admin.site._registry[model].has_delete_permission(request) is False


# --- The API -----------------------------------------------------------------------------------


def _post(keys, payload: dict[str, Any], name: str = "platform"):
    return keys.client(name).post("/api/v1/orders", payload, content_type="application/json")


def test_api_new_order_answers_201_with_the_order_and_its_lines(keys):
    payload = order_payload(
        external_id="O-KWD",
        currency="KWD",
        shipping_amount="2",
        payments=[{"method": "card", "gateway": "adyen", "reference": "psp-1", "amount": "3.25"}],
        lines=[
            _line(
                "L1",
                quantity=1,
                unit_price="1.25",
                paid_amount="1.250",
                gtin="4006381333931",
                variant_id="V-1",
                weight_g=300,
            )
        ],
    )

    response = _post(keys, payload)

    assert (response.status_code, response["Content-Type"]) == (201, "application/json")
    assert response.json() == {
        "external_id": "O-KWD",
        "number": payload["number"],
        "currency": "KWD",
        "placed_at": "2026-02-28T12:00:00Z",
        "delivered_at": "2026-03-07T12:00:00Z",
        "shipping_amount": "2.000",
        "seller": {"external_id": "S-A", "name": "Seller S-A", "country": "DE"},
        "buyer": {"external_id": "B-1", "name": "Buyer B-1", "country": "ES"},
        "payments": [{"method": "card", "gateway": "adyen", "reference": "psp-1", "amount": "3.250"}],
        "lines": [
            {
                "external_id": "L1",
                "sku": "SKU-L1",
                "title": "Item L1",
                "quantity": 1,
                "unit_price": "1.250",
                "paid_amount": "1.250",
                "category": "home",
                "gtin": "4006381333931",
                "variant_id": "V-1",
                "weight_g": 300,
                "final_sale": False,
                "delivered_at": None,
            }
        ],
    }


@pytest.mark.parametrize(
    ("currency", "amount", "shown"),
    [
        ("JPY", "1200", "1200"),
        ("KWD", "1.25", "1.250"),
        ("EUR", "20", "20.00"),
        ("CLF", "0.5", "0.5000"),
    ],
)
def test_api_amounts_are_decimal_strings_with_the_currencys_decimals(keys, currency, amount, shown):
    payload = order_payload(
        currency=currency,
        shipping_amount=amount,
        payments=[{"method": "card", "amount": amount}, {"method": "card", "amount": amount}],
        lines=[_line("L1", unit_price=amount, paid_amount=amount)],
    )

    body = _post(keys, payload).json()

    assert (
        body["shipping_amount"],
        body["payments"][0]["amount"],
        body["lines"][0]["unit_price"],
        body["lines"][0]["paid_amount"],
    ) == (shown, shown, shown, shown)


def test_api_reimport_answers_200_with_the_updated_order(keys):
    _post(keys, order_payload(external_id="O-TWICE"))
    payload = order_payload(external_id="O-TWICE", lines=[*default_lines(), _line("L3")])

    response = _post(keys, payload)

    assert response.status_code == 200
    assert [line["external_id"] for line in response.json()["lines"]] == ["L1", "L2", "L3"]
    assert (Order.objects.count(), OrderLine.objects.count()) == (1, 3)


def test_api_conflicting_reimport_answers_409_and_changes_nothing(keys, make_return, make_order):
    order = make_order(external_id="O-409")
    make_return(order=order, line="L1")
    payload = order_payload(external_id="O-409", lines=[_line("L2", unit_price="24.00", paid_amount="24.00")])
    before = _snapshot()

    response = _post(keys, payload)

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:order_conflict",
        "title": "The re-imported order contradicts what its returns rely on",
        "status": 409,
        "detail": "Line 'L1' has returns and cannot be dropped.",
        "code": "order_conflict",
    }
    assert _snapshot() == before


def _with(**overrides: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda payload: {**payload, **overrides}


def _first_line(**overrides: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda payload: {**payload, "lines": [{**payload["lines"][0], **overrides}]}


INVALID = {
    "unknown_currency": (
        _with(currency="XYZ"),
        [
            {
                "loc": ["body", "payload", "currency"],
                "msg": "Value error, 'XYZ' is not an ISO 4217 currency code",
                "type": "value_error",
            }
        ],
    ),
    "decimals_beyond_jpy": (
        _with(currency="JPY", shipping_amount="0.5"),
        [
            {
                "loc": ["body", "payload"],
                "msg": "Value error, an amount has more decimals than JPY allows (0)",
                "type": "value_error",
            }
        ],
    ),
    "decimals_beyond_eur": (
        _first_line(unit_price="20.005"),
        [
            {
                "loc": ["body", "payload"],
                "msg": "Value error, an amount has more decimals than EUR allows (2)",
                "type": "value_error",
            }
        ],
    ),
    "duplicate_line_ids": (
        lambda payload: {**payload, "lines": [payload["lines"][0]] * 2},
        [
            {
                "loc": ["body", "payload"],
                "msg": "Value error, line external_id values must be unique within an order",
                "type": "value_error",
            }
        ],
    ),
    "naive_placed_at": (
        _with(placed_at="2026-03-01T10:00:00"),
        [{"loc": ["body", "payload", "placed_at"], "msg": "Input should have timezone info", "type": "timezone_aware"}],
    ),
    "naive_line_delivery": (
        _first_line(delivered_at="2026-03-01T10:00:00"),
        [
            {
                "loc": ["body", "payload", "lines", 0, "delivered_at"],
                "msg": "Input should have timezone info",
                "type": "timezone_aware",
            }
        ],
    ),
    "line_break_in_number": (
        _with(number="12\nBcc: x@example.com"),
        [
            {
                "loc": ["body", "payload", "number"],
                "msg": "Value error, may not contain line breaks or control characters",
                "type": "value_error",
            }
        ],
    ),
    "blank_return_address": (
        lambda payload: {
            **payload,
            "seller": {
                **payload["seller"],
                "return_address": {"name": " ", "lines": ["", " "], "city": "", "country": "DE"},
            },
        },
        [
            {
                "loc": ["body", "payload", "seller", "return_address", "name"],
                "msg": "String should have at least 1 character",
                "type": "string_too_short",
            },
            {
                "loc": ["body", "payload", "seller", "return_address", "lines"],
                "msg": "Value error, an address needs at least one line that is not blank",
                "type": "value_error",
            },
            {
                "loc": ["body", "payload", "seller", "return_address", "city"],
                "msg": "String should have at least 1 character",
                "type": "string_too_short",
            },
        ],
    ),
    "no_payments": (
        _with(payments=[]),
        [
            {
                "loc": ["body", "payload", "payments"],
                "msg": "List should have at least 1 item after validation, not 0",
                "type": "too_short",
            }
        ],
    ),
    "no_lines": (
        _with(lines=[]),
        [
            {
                "loc": ["body", "payload", "lines"],
                "msg": "List should have at least 1 item after validation, not 0",
                "type": "too_short",
            }
        ],
    ),
}


def test_an_address_keeps_its_lines_that_are_not_blank(keys):
    payload = order_payload()
    address = {"name": " Returns ", "lines": ["Street 1", " "], "city": "Berlin", "country": "DE"}
    payload["seller"] = {**payload["seller"], "return_address": address}

    assert _post(keys, payload).status_code == 201
    stored = Seller.objects.get(external_id=payload["seller"]["external_id"]).return_address
    assert (stored["name"], stored["lines"]) == ("Returns", ["Street 1"])


@pytest.mark.parametrize(("change", "errors"), INVALID.values(), ids=INVALID.keys())
def test_api_invalid_order_answers_422_validation_error(keys, change, errors):
    response = _post(keys, change(order_payload()))

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:validation_error",
        "title": "Some fields are invalid",
        "status": 422,
        "detail": "Some fields are invalid",
        "code": "validation_error",
        "errors": errors,
    }
    assert (Order.objects.count(), Seller.objects.count()) == (0, 2)


@pytest.mark.parametrize("name", ["seller_a", "carrier", "agent", "supervisor"])
def test_api_only_platform_keys_import_orders(keys, name):
    response = _post(keys, order_payload(seller="S-NEW"), name)

    assert (response.status_code, response["Content-Type"]) == (403, PROBLEM)
    assert response.json()["code"] == "forbidden"
    assert (Order.objects.count(), Seller.objects.filter(external_id="S-NEW").count()) == (0, 0)


def test_api_get_order_answers_the_order_to_its_seller(keys, django_assert_num_queries):
    created = _post(keys, order_payload(external_id="O-SEEN")).json()
    client = keys.client("seller_a")

    # Authentication, the order with its seller and buyer, its lines, its payments.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/orders/O-SEEN")

    assert response.status_code == 200
    assert response.json() == created


def test_api_get_order_of_another_seller_answers_404_like_a_missing_one(keys, make_order):
    make_order(external_id="O-A")
    client = keys.client("seller_b")

    other = client.get("/api/v1/orders/O-A")
    missing = client.get("/api/v1/orders/O-A-MISSING")

    assert (other.status_code, other["Content-Type"], missing.status_code) == (404, PROBLEM, 404)
    assert other.json() == {
        "type": "urn:returndesk:problem:order_not_found",
        "title": "No order with this external id is visible to this key",
        "status": 404,
        "detail": "No order 'O-A'.",
        "code": "order_not_found",
    }
    assert missing.json() == {**other.json(), "detail": "No order 'O-A-MISSING'."}


def test_api_carrier_may_not_read_orders(keys, make_order):
    make_order(external_id="O-C")

    response = keys.client("carrier").get("/api/v1/orders/O-C")

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_a_reimport_that_leaves_out_the_sellers_details_keeps_them(db):
    payload = order_payload(external_id="O-KEEP")
    _import(payload)
    payload["seller"] = {key: payload["seller"][key] for key in ("external_id", "name", "country")}

    _import(payload)

    assert Seller.objects.values_list("return_address__city", flat=True).get() == "City of S-A"
