"""An order as the operator imports it: plain, frozen data the services take, and the checks
that need no database. Pure Python.

The API's ``OrderIn`` validates the wire format and hands over an ``OrderImport``; the demo, the
scenarios and the tests build the same objects, so every way in goes through one service.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Final, Generic, Literal, TypeVar

from returndesk.core import money
from returndesk.marketplace.errors import ImplausibleDate, PaymentsMismatch


class _Unset(Enum):
    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


# A detail the import left out: a re-import keeps what an earlier import said.
UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]


@dataclass(frozen=True)
class AddressImport:
    name: str
    lines: tuple[str, ...]
    city: str
    country: str
    postal_code: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "lines": list(self.lines),
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
        }


@dataclass(frozen=True)
class SellerImport:
    external_id: str
    name: str
    country: str
    email: str | Unset | None = UNSET
    return_address: AddressImport | Unset | None = UNSET


@dataclass(frozen=True)
class BuyerImport:
    external_id: str
    email: str
    name: str
    country: str
    locale: str = ""
    time_zone: str = "UTC"


@dataclass(frozen=True)
class PaymentImport:
    method: str
    amount: Decimal
    gateway: str = ""
    reference: str = ""


@dataclass(frozen=True)
class LineImport:
    external_id: str
    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    paid_amount: Decimal
    category: str
    gtin: str = ""
    variant_id: str = ""
    weight_g: int | None = None
    final_sale: bool = False
    delivered_at: datetime | None = None


# Every field of a line the import writes.
LINE_FIELDS: Final = (
    "sku",
    "title",
    "quantity",
    "unit_price",
    "paid_amount",
    "category",
    "gtin",
    "variant_id",
    "weight_g",
    "final_sale",
)
# What names the item a buyer sends back: a re-import may not change these on a line that has
# returns (its quantity may only grow and its price not change at all; they have refusals of their own).
RETURNED_LINE_FIXED: Final = ("sku", "gtin", "variant_id", "title", "weight_g")


@dataclass(frozen=True)
class OrderImport:
    external_id: str
    currency: str
    placed_at: datetime
    delivered_at: datetime | None
    shipping_amount: Decimal
    seller: SellerImport
    buyer: BuyerImport
    payments: tuple[PaymentImport, ...]
    lines: tuple[LineImport, ...]
    number: str = ""


# How far ahead of ours the operator's clock may run before a date counts as not yet happened.
CLOCK_SKEW: Final = timedelta(minutes=5)


def _shown(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def dates_check(order: OrderImport, *, now: datetime, recorded_deliveries: Sequence[datetime] = ()) -> None:
    """Refuse dates no real order has: placed or delivered in the future (beyond ``CLOCK_SKEW``),
    or delivered before it was placed, for the order and for each line.

    ``recorded_deliveries`` are delivery dates an earlier import recorded that this one keeps by
    leaving them out: a new ``placed_at`` may not come after them either.
    """
    latest = now + CLOCK_SKEW
    placed = order.placed_at
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if placed > latest:
        problems.append((("placed_at",), f"The order's placed_at, {_shown(placed)}, is in the future."))
    elif recorded_deliveries and min(recorded_deliveries) < placed:
        problems.append(
            (
                ("placed_at",),
                f"The order's placed_at, {_shown(placed)}, is after its delivery on "
                f"{_shown(min(recorded_deliveries))}, which an earlier import recorded.",
            )
        )
    delivered = order.delivered_at
    if delivered is not None and delivered > latest:
        problems.append((("delivered_at",), f"The order's delivered_at, {_shown(delivered)}, is in the future."))
    elif delivered is not None and delivered < placed:
        problems.append(
            (
                ("delivered_at",),
                f"The order's delivered_at, {_shown(delivered)}, is before its placed_at, {_shown(placed)}.",
            )
        )
    for index, line in enumerate(order.lines):
        at = line.delivered_at
        field = ("lines", index, "delivered_at")
        if at is not None and at > latest:
            problems.append((field, f"The delivered_at of line {line.external_id!r}, {_shown(at)}, is in the future."))
        elif at is not None and at < placed:
            problems.append(
                (
                    field,
                    f"The delivered_at of line {line.external_id!r}, {_shown(at)}, is before the order's "
                    f"placed_at, {_shown(placed)}.",
                )
            )
    if problems:
        raise ImplausibleDate(problems)


def payments_check(order: OrderImport) -> None:
    """Refuse payments that do not add up exactly to the lines' paid amounts plus shipping."""
    expected = sum((line.paid_amount for line in order.lines), order.shipping_amount)
    paid = sum((payment.amount for payment in order.payments), Decimal(0))
    if paid == expected:
        return
    currency = order.currency
    shown_expected, shown_paid = money.format_amount(expected, currency), money.format_amount(paid, currency)
    raise PaymentsMismatch(
        f"The payments add up to {shown_paid} {currency}, but the lines' paid amounts and the shipping "
        f"come to {shown_expected} {currency}.",
        expected=shown_expected,
        paid=shown_paid,
    )


T = TypeVar("T")


@dataclass(frozen=True)
class PaymentMatch(Generic[T]):
    """How a re-import's payments meet the stored ones."""

    # A stored payment and what the import now says of it (its gateway and amount may change).
    kept: tuple[tuple[T, PaymentImport], ...]
    added: tuple[PaymentImport, ...]
    # Stored payments the import no longer names: refunds point at payments, so this is a conflict.
    left_out: tuple[T, ...]


def payments_match(
    stored: Sequence[T], incoming: Sequence[PaymentImport], *, key: Callable[[T], tuple[str, str]]
) -> PaymentMatch[T]:
    """Pair stored payments (in the order they were stored) with the import's by ``(method,
    reference)``; payments sharing that pair (a method's payments without a reference) pair up by
    position. ``key`` reads a stored payment's ``(method, reference)``."""
    waiting: dict[tuple[str, str], deque[int]] = {}
    for index, item in enumerate(stored):
        waiting.setdefault(key(item), deque()).append(index)
    kept: list[tuple[T, PaymentImport]] = []
    added: list[PaymentImport] = []
    for payment in incoming:
        queue = waiting.get((payment.method, payment.reference))
        if queue:
            kept.append((stored[queue.popleft()], payment))
        else:
            added.append(payment)
    left_out = sorted(index for queue in waiting.values() for index in queue)
    return PaymentMatch(kept=tuple(kept), added=tuple(added), left_out=tuple(stored[index] for index in left_out))
