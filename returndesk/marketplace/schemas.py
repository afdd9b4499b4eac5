"""The order import's input and the order's output, as the API and the services see them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ninja import Schema
from pydantic import AwareDatetime, EmailStr, Field, StringConstraints, field_validator, model_validator

from returndesk.core import money
from returndesk.core.schemas import (
    Amount,
    CountryCode,
    Currency,
    ExternalId,
    InSchema,
    SingleLine,
    StrictBool,
    StrictInt,
    Timestamp,
)
from returndesk.marketplace.domain.orders import (
    UNSET,
    AddressImport,
    BuyerImport,
    LineImport,
    OrderImport,
    PaymentImport,
    SellerImport,
)
from returndesk.marketplace.models import Order, OrderLine, Payment


class AddressIn(InSchema):
    """Where a parcel goes: a blank name, street or city is no address at all (approving a
    return needs one to send the buyer to), so each is refused; blank extra lines are dropped."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    lines: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]] = Field(
        min_length=1, max_length=4
    )
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    postal_code: str = Field(default="", max_length=20)
    country: CountryCode

    @field_validator("lines")
    @classmethod
    def _a_line_not_blank(cls, lines: list[str]) -> list[str]:
        kept = [line for line in lines if line]
        if not kept:
            raise ValueError("an address needs at least one line that is not blank")
        return kept


# The seller id that names the platform's default return policy (``/policies/default``): no
# seller may take it. The policies app, above this one, names it ``DEFAULT_SELLER``.
RESERVED_SELLER_ID = "default"


class SellerIn(InSchema):
    external_id: ExternalId
    name: str = Field(min_length=1, max_length=200)
    country: CountryCode
    email: EmailStr | None = None
    return_address: AddressIn | None = None

    @field_validator("external_id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == RESERVED_SELLER_ID:
            raise ValueError(f"the seller id {RESERVED_SELLER_ID!r} is reserved for the platform's default policy")
        return value

    def to_import(self) -> SellerImport:
        # Optional details left out of a re-import keep what an earlier import said.
        address = self.return_address
        return SellerImport(
            external_id=self.external_id,
            name=self.name,
            country=self.country,
            email=self.email if "email" in self.model_fields_set else UNSET,
            return_address=(
                UNSET
                if "return_address" not in self.model_fields_set
                else None
                if address is None
                else AddressImport(
                    name=address.name,
                    lines=tuple(address.lines),
                    city=address.city,
                    postal_code=address.postal_code,
                    country=address.country,
                )
            ),
        )


class BuyerIn(InSchema):
    external_id: ExternalId
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    country: CountryCode
    locale: str = Field(default="", max_length=16)
    time_zone: str = Field(default="UTC", max_length=64, description="IANA time zone; windows end at local midnight")

    @model_validator(mode="after")
    def _known_zone(self) -> BuyerIn:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.time_zone!r} is not an IANA time zone") from None
        return self


class PaymentIn(InSchema):
    method: str = Field(min_length=1, max_length=32, description="card, paypal, wallet, bank_transfer, ...")
    gateway: str = Field(default="", max_length=64)
    reference: str = Field(default="", max_length=128)
    amount: Amount


class LineIn(InSchema):
    external_id: ExternalId
    sku: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    quantity: StrictInt = Field(ge=1, le=100_000)
    unit_price: Amount
    paid_amount: Amount = Field(description="Paid for the whole line after discounts, tax included")
    category: str = Field(min_length=1, max_length=100)
    gtin: str = Field(default="", pattern=r"^(\d{8}|\d{12,14})?$")
    variant_id: str = Field(default="", max_length=100)
    weight_g: StrictInt | None = Field(default=None, ge=0, le=10_000_000)
    final_sale: StrictBool = False
    delivered_at: Timestamp | None = None


class OrderIn(InSchema):
    external_id: ExternalId
    number: SingleLine = Field(default="", max_length=100)
    currency: Currency
    placed_at: Timestamp
    delivered_at: Timestamp | None
    shipping_amount: Amount
    seller: SellerIn
    buyer: BuyerIn
    payments: list[PaymentIn] = Field(min_length=1, max_length=20)
    lines: list[LineIn] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> OrderIn:
        ids = [line.external_id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError("line external_id values must be unique within an order")
        amounts = [
            self.shipping_amount,
            *(p.amount for p in self.payments),
            *(a for line in self.lines for a in (line.unit_price, line.paid_amount)),
        ]
        if not all(money.fits_currency(amount, self.currency) for amount in amounts):
            raise ValueError(
                f"an amount has more decimals than {self.currency} allows ({money.exponent(self.currency)})"
            )
        return self

    def to_import(self) -> OrderImport:
        buyer = self.buyer
        return OrderImport(
            external_id=self.external_id,
            number=self.number,
            currency=self.currency,
            placed_at=self.placed_at,
            delivered_at=self.delivered_at,
            shipping_amount=self.shipping_amount,
            seller=self.seller.to_import(),
            buyer=BuyerImport(
                external_id=buyer.external_id,
                email=buyer.email,
                name=buyer.name,
                country=buyer.country,
                locale=buyer.locale,
                time_zone=buyer.time_zone,
            ),
            payments=tuple(
                PaymentImport(method=p.method, gateway=p.gateway, reference=p.reference, amount=p.amount)
                for p in self.payments
            ),
            lines=tuple(
                LineImport(**{name: getattr(line, name) for name in LineIn.model_fields}) for line in self.lines
            ),
        )


# Output schemas read the ORM objects the selectors return, prefetched. Amounts are decimal
# strings with exactly the order currency's decimals; a line or payment reaches its order through
# the relation its prefetch filled, so formatting costs no query.


def _amount(value: Decimal, order: Order) -> str:
    return money.format_amount(value, order.currency)


class LineOut(Schema):
    external_id: str
    sku: str
    title: str
    quantity: int
    unit_price: str
    paid_amount: str
    category: str
    gtin: str
    variant_id: str
    weight_g: int | None
    final_sale: bool
    delivered_at: AwareDatetime | None

    @staticmethod
    def resolve_unit_price(line: OrderLine) -> str:
        return _amount(line.unit_price, line.order)

    @staticmethod
    def resolve_paid_amount(line: OrderLine) -> str:
        return _amount(line.paid_amount, line.order)


class PaymentOut(Schema):
    method: str
    gateway: str
    reference: str
    amount: str

    @staticmethod
    def resolve_amount(payment: Payment) -> str:
        return _amount(payment.amount, payment.order)


class PartyOut(Schema):
    external_id: str
    name: str
    country: str


class OrderOut(Schema):
    external_id: str
    number: str
    currency: str
    placed_at: AwareDatetime
    delivered_at: AwareDatetime | None
    shipping_amount: str
    seller: PartyOut
    buyer: PartyOut
    payments: list[PaymentOut]
    lines: list[LineOut]

    @staticmethod
    def resolve_shipping_amount(order: Order) -> str:
        return _amount(order.shipping_amount, order)
