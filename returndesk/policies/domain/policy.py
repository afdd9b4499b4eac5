"""A return policy: the rules one seller (or the platform's default) sets. Pure Python.

One immutable value per stored version. Money maps are keyed by ISO 4217 code with ``Decimal``
amounts in the currency's decimals; a currency missing from a map means the fee or rule does not
apply in that currency. Only the platform's default holds ``seller_bounds``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from returndesk.policies.domain.reasons import BUYER_CHOICE_REASONS, Reason

# The seller id that names the platform's default policy; no seller may take it.
DEFAULT_SELLER = "default"

MoneyMap = Mapping[str, Decimal]
EMPTY_MONEY: MoneyMap = MappingProxyType({})


class Payer(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


@dataclass(frozen=True)
class AutoApprove:
    """When the system approves a return as it opens (all three must hold; no reasons: never)."""

    reasons: tuple[Reason, ...] = ()
    max_line_paid: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    max_days_since_delivery: int | None = None


@dataclass(frozen=True)
class ClockDays:
    """The lifecycle's clocks, in days (the platform's to set)."""

    seller_answer: int = 5
    offer_answer: int = 3
    ship_within: int = 10
    transit: int = 30
    receive_after_delivery: int = 5
    inspect_within: int = 5
    refund_within: int = 2
    refund_attention: int = 3
    manual_refund_confirm: int = 3
    escalation_window: int = 15
    dispute_decision: int = 7
    close_after_resolution: int = 15


# The fields a seller may change, unless the platform's default says otherwise.
SELLER_EDITABLE: tuple[str, ...] = (
    "window_days",
    "free_window_days",
    "free_returns_per_order",
    "return_shipping_paid_by",
    "return_shipping_fee",
    "restocking_fee_percent",
    "non_returnable_categories",
    "non_returnable_skus",
    "auto_approve",
    "keep_item_below",
    "exchanges",
)

# The EU's right of withdrawal: no window, the default's included, is shorter.
EU_FLOOR_DAYS = 14


@dataclass(frozen=True)
class SellerBounds:
    """What the platform lets sellers choose (held by the default policy only)."""

    min_window_days: int = EU_FLOOR_DAYS
    max_window_days: int = 365
    max_restocking_fee_percent: Decimal = Decimal(20)
    max_return_shipping_fee: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    editable: tuple[str, ...] = SELLER_EDITABLE


@dataclass(frozen=True)
class ReturnPolicy:
    """Every field of a policy version; the defaults are the platform's version 1."""

    window_days: int = 30
    free_window_days: int = 15
    free_returns_per_order: int = 1
    # Buyer's-choice reasons only: the seller always pays for seller-fault reasons.
    return_shipping_paid_by: Mapping[Reason, Payer] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(sorted(BUYER_CHOICE_REASONS), Payer.BUYER))
    )
    return_shipping_fee: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    restocking_fee_percent: Decimal = Decimal(0)
    non_returnable_categories: tuple[str, ...] = ()
    non_returnable_skus: tuple[str, ...] = ()
    auto_approve: AutoApprove = AutoApprove()
    keep_item_below: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    exchanges: bool = True
    hold_refunds_above: MoneyMap = field(default_factory=lambda: EMPTY_MONEY)
    clock_days: ClockDays = ClockDays()
    seller_bounds: SellerBounds | None = None

    def return_shipping_payer(self, reason: Reason) -> Payer:
        """Who pays to send a line back for ``reason``."""
        if reason not in BUYER_CHOICE_REASONS:
            return Payer.SELLER
        return self.return_shipping_paid_by.get(reason, Payer.BUYER)


# The platform's default as the core shipped it: stored as version 1 by a data migration.
CORE_DEFAULT = ReturnPolicy(seller_bounds=SellerBounds())
