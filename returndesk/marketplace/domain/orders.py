"""An order as the operator imports it: plain, frozen data the services take. Pure Python.

The API's ``OrderIn`` validates the wire format and hands over an ``OrderImport``; the demo, the
scenarios and the tests build the same objects, so every way in goes through one service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Final, Literal


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


# What a line's returns rely on: a re-import may not change these on a line that has returns.
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
