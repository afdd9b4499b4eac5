"""Request bodies as plain dicts, the API's wire format. No Django: the bench sends them too.

``order_payload`` is the one order builder of tests, demo and bench: it computes the payments
(lines' paid amounts plus shipping) and ``placed_at`` (before delivery) unless it is given them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

# The fixed "now" of tests and the base of their orders.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def iso(moment: datetime) -> str:
    """An aware datetime as the API writes it: in UTC, with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def line_payload(
    external_id: str,
    *,
    sku: str | None = None,
    title: str = "Item",
    quantity: int = 1,
    unit_price: str = "10.00",
    paid_amount: str | None = None,
    category: str = "general",
    **overrides: Any,
) -> dict[str, Any]:
    """An order line; ``paid_amount`` defaults to quantity x unit price."""
    paid = paid_amount if paid_amount is not None else str(Decimal(unit_price) * quantity)
    return {
        "external_id": external_id,
        "sku": sku or f"SKU-{external_id}",
        "title": title,
        "quantity": quantity,
        "unit_price": unit_price,
        "paid_amount": paid,
        "category": category,
        **overrides,
    }


def default_lines() -> list[dict[str, Any]]:
    return [
        line_payload("L1", sku="SKU-1", title="Lamp", quantity=2, unit_price="20.00", paid_amount="36.00",
                     category="home", weight_g=500),
        line_payload("L2", sku="SKU-2", title="Cable", unit_price="24.00", category="electronics", weight_g=100),
    ]  # fmt: skip


def seller_payload(external_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "name": f"Seller {external_id}",
        "country": "DE",
        "return_address": {
            "name": "Returns",
            "lines": ["Street 1"],
            "city": f"City of {external_id}",
            "postal_code": "10115",
            "country": "DE",
        },
        **overrides,
    }


def buyer_payload(external_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "email": f"{external_id.lower()}@example.com",
        "name": f"Buyer {external_id}",
        "country": "ES",
        "time_zone": "Europe/Madrid",
        **overrides,
    }


def order_payload(
    *,
    external_id: str | None = None,
    number: str | None = None,
    seller: str | dict[str, Any] = "S-A",
    buyer: str | dict[str, Any] = "B-1",
    delivered_at: datetime | None = NOW - timedelta(days=3),
    placed_at: datetime | None = None,
    currency: str = "EUR",
    shipping_amount: str = "5.00",
    lines: list[dict[str, Any]] | None = None,
    payments: list[dict[str, Any]] | None = None,
    payment_method: str = "card",
    **overrides: Any,
) -> dict[str, Any]:
    """A valid order import body. ``seller``/``buyer`` are external ids or whole bodies; payments
    default to one of ``payment_method`` for the lines' paid amounts plus shipping, and the order
    is placed a week before delivery (or before ``NOW``)."""
    external_id = external_id or f"O-{next(_numbers)}"
    lines = lines if lines is not None else default_lines()
    if payments is None:
        total = sum((Decimal(line["paid_amount"]) for line in lines), Decimal(shipping_amount))
        payments = [{"method": payment_method, "amount": str(total)}]
    placed = placed_at or (delivered_at or NOW) - timedelta(days=7)
    payload: dict[str, Any] = {
        "external_id": external_id,
        "number": number if number is not None else f"N-{external_id}",
        "currency": currency,
        "placed_at": iso(placed),
        "delivered_at": iso(delivered_at) if delivered_at else None,
        "shipping_amount": shipping_amount,
        "seller": seller if isinstance(seller, dict) else seller_payload(seller),
        "buyer": buyer if isinstance(buyer, dict) else buyer_payload(buyer),
        "payments": payments,
        "lines": lines,
    }
    payload.update(overrides)
    return payload


def return_payload(order: str, *lines: tuple[str, int, str]) -> dict[str, Any]:
    """A return body: (line, quantity, reason) per line."""
    return {
        "order": order,
        "lines": [{"line": line, "quantity": quantity, "reason": reason} for line, quantity, reason in lines],
    }
