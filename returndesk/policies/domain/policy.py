"""A return policy: the rules one seller (or the platform's default) sets. Pure Python.

One immutable value per stored version. Money maps are keyed by ISO 4217 code with ``Decimal``
amounts in the currency's decimals; a currency missing from a map means the fee or rule does not
apply in that currency. Only the platform's default holds ``seller_bounds``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from returndesk.core.money import format_amount
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


# --- The JSON document: the API's field shapes, and what a version row stores ------------------


def _money_to_json(amounts: MoneyMap) -> dict[str, str]:
    return {currency: format_amount(amount, currency) for currency, amount in sorted(amounts.items())}


def policy_to_json(policy: ReturnPolicy) -> dict[str, object]:
    """``policy`` as the API shows it and a version row stores it: money and percentages as
    decimal strings, maps keyed by code, lists in their stored order; ``seller_bounds`` null
    on a seller's version."""
    bounds = policy.seller_bounds
    return {
        "window_days": policy.window_days,
        "free_window_days": policy.free_window_days,
        "free_returns_per_order": policy.free_returns_per_order,
        "return_shipping_paid_by": {
            str(reason): str(payer) for reason, payer in sorted(policy.return_shipping_paid_by.items())
        },
        "return_shipping_fee": _money_to_json(policy.return_shipping_fee),
        "restocking_fee_percent": str(policy.restocking_fee_percent),
        "non_returnable_categories": list(policy.non_returnable_categories),
        "non_returnable_skus": list(policy.non_returnable_skus),
        "auto_approve": {
            "reasons": [str(reason) for reason in policy.auto_approve.reasons],
            "max_line_paid": _money_to_json(policy.auto_approve.max_line_paid),
            "max_days_since_delivery": policy.auto_approve.max_days_since_delivery,
        },
        "keep_item_below": _money_to_json(policy.keep_item_below),
        "exchanges": policy.exchanges,
        "hold_refunds_above": _money_to_json(policy.hold_refunds_above),
        "clock_days": {name: getattr(policy.clock_days, name) for name in CLOCK_NAMES},
        "seller_bounds": None
        if bounds is None
        else {
            "min_window_days": bounds.min_window_days,
            "max_window_days": bounds.max_window_days,
            "max_restocking_fee_percent": str(bounds.max_restocking_fee_percent),
            "max_return_shipping_fee": _money_to_json(bounds.max_return_shipping_fee),
            "editable": list(bounds.editable),
        },
    }


# The clocks in the order the API lists them.
CLOCK_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ClockDays))


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _object(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {value!r}")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list, got {value!r}")
    return list(value)


def _money_from_json(value: object) -> MoneyMap:
    return MappingProxyType({currency: Decimal(_str(amount)) for currency, amount in _object(value).items()})


def policy_from_json(data: Mapping[str, object]) -> ReturnPolicy:
    """The policy a stored document (``policy_to_json``'s shape) holds. The document was checked
    when its version was made; a malformed one raises ``TypeError``/``KeyError``/``ValueError``."""
    auto = _object(data["auto_approve"])
    days = auto["max_days_since_delivery"]
    clocks = _object(data["clock_days"])
    bounds = data["seller_bounds"]
    seller_bounds = None
    if bounds is not None:
        bounds = _object(bounds)
        seller_bounds = SellerBounds(
            min_window_days=_int(bounds["min_window_days"]),
            max_window_days=_int(bounds["max_window_days"]),
            max_restocking_fee_percent=Decimal(_str(bounds["max_restocking_fee_percent"])),
            max_return_shipping_fee=_money_from_json(bounds["max_return_shipping_fee"]),
            editable=tuple(_str(name) for name in _list(bounds["editable"])),
        )
    return ReturnPolicy(
        window_days=_int(data["window_days"]),
        free_window_days=_int(data["free_window_days"]),
        free_returns_per_order=_int(data["free_returns_per_order"]),
        return_shipping_paid_by=MappingProxyType(
            {Reason(reason): Payer(_str(payer)) for reason, payer in _object(data["return_shipping_paid_by"]).items()}
        ),
        return_shipping_fee=_money_from_json(data["return_shipping_fee"]),
        restocking_fee_percent=Decimal(_str(data["restocking_fee_percent"])),
        non_returnable_categories=tuple(_str(item) for item in _list(data["non_returnable_categories"])),
        non_returnable_skus=tuple(_str(item) for item in _list(data["non_returnable_skus"])),
        auto_approve=AutoApprove(
            reasons=tuple(Reason(_str(reason)) for reason in _list(auto["reasons"])),
            max_line_paid=_money_from_json(auto["max_line_paid"]),
            max_days_since_delivery=None if days is None else _int(days),
        ),
        keep_item_below=_money_from_json(data["keep_item_below"]),
        exchanges=_bool(data["exchanges"]),
        hold_refunds_above=_money_from_json(data["hold_refunds_above"]),
        clock_days=ClockDays(**{name: _int(clocks[name]) for name in CLOCK_NAMES}),
        seller_bounds=seller_bounds,
    )
